package platforms

import "testing"

func TestDetectSpotify(t *testing.T) {
	const (
		track    = "4cOdK2wGLETKBW3PvgPWqT"
		album    = "1DFixLWuPkv3KT3TnV35m3"
		playlist = "37i9dQZF1DXcBWIGoYBM5M"
		artist   = "0gxyHStUsqpMadRV0Di1Qt"
	)
	item := func(raw string, kind Kind, id string) detectCase {
		return detectCase{raw, Spotify, kind, id, "https://open.spotify.com/" + string(kind) + "/" + id, ""}
	}
	tr := func(raw string) detectCase { return item(raw, KindTrack, track) }
	al := func(raw string) detectCase { return item(raw, KindAlbum, album) }
	pl := func(raw string) detectCase { return item(raw, KindPlaylist, playlist) }
	ar := func(raw string) detectCase { return item(raw, KindArtist, artist) }
	unknown := func(raw string) detectCase { return detectCase{raw, Spotify, KindUnknown, "", "", ""} }

	runDetectCases(t, []detectCase{
		tr("https://open.spotify.com/track/" + track),
		tr("https://open.spotify.com/track/" + track + "?si=a1b2c3d4e5f64a7b"),
		tr("https://open.spotify.com/track/" + track + "?si=a1b2c3d4e5f64a7b&utm_source=copy-link"),
		tr("https://open.spotify.com/track/" + track + "?si=x&context=spotify%3Aalbum%3A6N9PS4QXF1D0OWPk0Sxtb4"),
		tr("https://open.spotify.com/track/" + track + "?go=1&sp_cid=abc&utm_medium=share&utm_source=whatsapp"),
		tr("https://open.spotify.com/track/" + track + "/"),
		tr("https://open.spotify.com/track/" + track + "#lyrics"),
		tr("http://open.spotify.com/track/" + track),
		tr("https://play.spotify.com/track/" + track),
		tr("https://OPEN.SPOTIFY.COM./track/" + track),
		tr("https://open.spotify.com:443/track/" + track),
		tr("https://open.spotify.com/TRACK/" + track),
		tr("https://open.spotify.com/intl-de/track/" + track),
		tr("https://open.spotify.com/intl-pt/track/" + track + "?si=abc"),
		tr("https://open.spotify.com/intl-ja/track/" + track + "?si=abc&nd=1"),
		tr("https://open.spotify.com/intl-es-419/track/" + track),
		tr("https://open.spotify.com/embed/track/" + track),
		tr("https://open.spotify.com/embed/track/" + track + "?utm_source=generator&theme=0"),
		tr("https://open.spotify.com/intl-fr/embed/track/" + track),
		tr("spotify:track:" + track),
		tr("SPOTIFY:track:" + track),
		tr("spotify:Track:" + track),
		al("https://open.spotify.com/album/" + album),
		al("https://open.spotify.com/album/" + album + "?si=QwErTy"),
		al("https://open.spotify.com/album/" + album + "?highlight=spotify:track:" + track),
		al("https://open.spotify.com/intl-es/album/" + album),
		al("https://open.spotify.com/embed/album/" + album + "?utm_source=generator"),
		al("https://play.spotify.com/album/" + album),
		al("spotify:album:" + album),
		pl("https://open.spotify.com/playlist/" + playlist),
		pl("https://open.spotify.com/playlist/" + playlist + "?si=x&pi=u-abcdef"),
		pl("https://open.spotify.com/playlist/" + playlist + "?si=x&nd=1&dlsi=y"),
		pl("https://open.spotify.com/intl-fr/playlist/" + playlist),
		pl("https://open.spotify.com/embed/playlist/" + playlist + "?utm_source=generator&theme=0"),
		pl("https://open.spotify.com/user/spotify/playlist/" + playlist),
		pl("https://open.spotify.com/user/spotify/playlist/" + playlist + "?si=x"),
		pl("spotify:playlist:" + playlist),
		pl("spotify:user:spotify:playlist:" + playlist),
		ar("https://open.spotify.com/artist/" + artist),
		ar("https://open.spotify.com/artist/" + artist + "?si=zyx"),
		ar("https://open.spotify.com/intl-ja/artist/" + artist),
		ar("spotify:artist:" + artist),
		// Spotify, but nothing Downlink downloads or can name.
		unknown("https://open.spotify.com/"),
		unknown("https://open.spotify.com/track/4cOdK2wGLETKBW3PvgPWq"),
		unknown("https://open.spotify.com/track/4cOdK2wGLETKBW3PvgPWqT1"),
		unknown("https://open.spotify.com/track/4cOdK2wGLETKBW3PvgPW-T"),
		unknown("https://open.spotify.com/episode/512ojhOuo1ktJprKbVcKyQ"),
		unknown("https://open.spotify.com/show/4rOoJ6Egrf8K2IrywzwOMk"),
		unknown("https://open.spotify.com/search/rick%20astley"),
		unknown("https://open.spotify.com/intl-de/"),
		unknown("https://spotify.link/abc123XYZ"),
		unknown("spotify:track:tooShort"),
		unknown("spotify:episode:512ojhOuo1ktJprKbVcKyQ"),
		unknown("spotify:track"),
	})
}
