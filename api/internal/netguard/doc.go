// Package netguard keeps submitted URLs and yt-dlp's traffic away from places
// they must not reach.
//
// Three layers, each usable on its own:
//
//   - ValidateURL checks the shape of a submitted URL (scheme, length,
//     characters, userinfo, option-like and smuggled input) and answers with
//     a 422 problem naming the "url" field.
//   - Guard classifies hosts and addresses (loopback, private, link-local,
//     CGNAT, metadata, IPv4 embedded in IPv6, inet_aton number forms, …) and
//     checks a URL at submission by resolving its host (Guard.CheckURL).
//   - Proxy is the egress proxy yt-dlp is pointed at (--proxy). Its dialer
//     resolves each destination itself, checks every address with a Policy
//     and connects to the checked address, so redirects and DNS rebinding
//     cannot reach what submission refused. Refusals carry BlockedMarker.
package netguard
