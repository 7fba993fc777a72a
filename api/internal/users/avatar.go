package users

import (
	"net/url"
	"strings"
)

// knownAvatarHosts is where the login providers (and Gravatar) serve
// avatar images, for error messages; knownAvatarHost decides.
const knownAvatarHosts = "avatars.githubusercontent.com, *.googleusercontent.com, gravatar.com, www.gravatar.com, secure.gravatar.com"

// knownAvatarHost reports whether host serves the login providers' (or
// Gravatar's) avatar images.
func knownAvatarHost(host string) bool {
	switch host {
	case "avatars.githubusercontent.com", "gravatar.com", "www.gravatar.com", "secure.gravatar.com":
		return true
	}
	return strings.HasSuffix(host, ".googleusercontent.com") // lh3.googleusercontent.com, …
}

// AvatarAllowed reports whether raw is an https image on a known avatar
// host, or on one of extraHosts (the configured OIDC issuer's host). Every
// admin's browser loads every user's avatar, so an avatar on any host
// would tell that host who looks at the user list, and when.
func AvatarAllowed(raw string, extraHosts ...string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.User != nil || u.Port() != "" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	if knownAvatarHost(host) {
		return true
	}
	for _, h := range extraHosts {
		if h != "" && host == strings.ToLower(h) {
			return true
		}
	}
	return false
}

// AvatarHostsText lists the allowed hosts for an error message.
func AvatarHostsText(extraHosts ...string) string {
	text := knownAvatarHosts
	for _, h := range extraHosts {
		if h != "" {
			text += ", " + h
		}
	}
	return text
}
