package platforms

import "testing"

func TestDetectYouTube(t *testing.T) {
	const (
		vid      = "dQw4w9WgXcQ"
		watch    = "https://www.youtube.com/watch?v=" + vid
		short    = "aqz-KE-bpKQ"
		list     = "PLFgquLnL59alCl_2TQvOiD5Vgm1hCaGSI"
		plURL    = "https://www.youtube.com/playlist?list=" + list
		album    = "OLAK5uy_lR2DjYqAsTMRf6xMbh6_6FD-ElsEk1_CU"
		albumURL = "https://www.youtube.com/playlist?list=" + album
		chanID   = "UCuAXFkgsw1L7xaCfnd5JJOw"
	)
	video := func(raw string) detectCase { return detectCase{raw, YouTube, KindVideo, vid, watch, ""} }
	inList := func(raw, l string) detectCase { return detectCase{raw, YouTube, KindVideo, vid, watch, l} }
	shortOf := func(raw string) detectCase {
		return detectCase{raw, YouTube, KindShort, short, "https://www.youtube.com/shorts/" + short, ""}
	}
	channel := func(raw, id, canonical string) detectCase {
		return detectCase{raw, YouTube, KindChannel, id, canonical, ""}
	}
	unknown := func(raw string) detectCase { return detectCase{raw, YouTube, KindUnknown, "", "", ""} }

	runDetectCases(t, []detectCase{
		// Watch pages, every host and the usual tracking clutter.
		video("https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
		video("https://youtube.com/watch?v=dQw4w9WgXcQ"),
		video("http://www.youtube.com/watch?v=dQw4w9WgXcQ"),
		video("https://m.youtube.com/watch?v=dQw4w9WgXcQ&feature=youtu.be"),
		video("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s"),
		video("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=1h2m3s"),
		video("https://www.youtube.com/watch?v=dQw4w9WgXcQ&pp=ygUJcmljayByb2xs"),
		video("https://www.youtube.com/watch?app=desktop&v=dQw4w9WgXcQ"),
		video("https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=share&utm_source=twitter&utm_medium=social&utm_campaign=x"),
		video("https://www.youtube.com/watch?v=dQw4w9WgXcQ&ab_channel=RickAstley"),
		video("https://www.youtube.com/watch?v=dQw4w9WgXcQ&si=AbCdEfGhIjKlMnOp"),
		video("https://www.youtube.com/watch?v=dQw4w9WgXcQ#t=30"),
		video("https://www.youtube.com/watch/?v=dQw4w9WgXcQ"),
		video("https://YouTube.COM./watch?v=dQw4w9WgXcQ"),
		video("https://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ"),
		video("https://www.youtube.com:443/watch?v=dQw4w9WgXcQ"),
		video("http://youtube.com:80/watch?v=dQw4w9WgXcQ"),
		inList("https://www.youtube.com/watch?v=dQw4w9WgXcQ&list="+list+"&index=2", list),
		inList("https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=RDdQw4w9WgXcQ&start_radio=1", "RDdQw4w9WgXcQ"),
		inList("https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=WL", "WL"),
		// youtu.be share links.
		video("https://youtu.be/dQw4w9WgXcQ"),
		video("https://youtu.be/dQw4w9WgXcQ?si=AbCdEfGhIjKlMnOp"),
		video("https://youtu.be/dQw4w9WgXcQ?t=42"),
		video("https://youtu.be/dQw4w9WgXcQ?si=AbCdEfGhIjKlMnOp&t=42"),
		video("http://youtu.be/dQw4w9WgXcQ/"),
		inList("https://youtu.be/dQw4w9WgXcQ?list="+list, list),
		// Shorts, live, embeds and old player URLs.
		shortOf("https://www.youtube.com/shorts/aqz-KE-bpKQ"),
		shortOf("https://youtube.com/shorts/aqz-KE-bpKQ?si=xyz&feature=share"),
		shortOf("https://m.youtube.com/shorts/aqz-KE-bpKQ"),
		shortOf("https://www.youtube.com/shorts/aqz-KE-bpKQ/"),
		{"https://www.youtube.com/live/jfKfPfyJRdk?si=abc", YouTube, KindVideo, "jfKfPfyJRdk", "https://www.youtube.com/watch?v=jfKfPfyJRdk", ""},
		{"https://youtube.com/live/jfKfPfyJRdk?feature=share", YouTube, KindVideo, "jfKfPfyJRdk", "https://www.youtube.com/watch?v=jfKfPfyJRdk", ""},
		video("https://www.youtube.com/embed/dQw4w9WgXcQ?rel=0&autoplay=1"),
		video("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=30"),
		video("https://youtube-nocookie.com/embed/dQw4w9WgXcQ"),
		video("https://www.youtube.com/v/dQw4w9WgXcQ?version=3&hl=en_US"),
		video("https://www.youtube.com/e/dQw4w9WgXcQ"),
		video("https://www.youtube.com/attribution_link?a=abc&u=%2Fwatch%3Fv%3DdQw4w9WgXcQ%26feature%3Dshare"),
		// Playlists and albums.
		{"https://www.youtube.com/playlist?list=" + list, YouTube, KindPlaylist, list, plURL, ""},
		{"https://m.youtube.com/playlist?list=" + list + "&si=x", YouTube, KindPlaylist, list, plURL, ""},
		{"https://www.youtube.com/watch?list=" + list, YouTube, KindPlaylist, list, plURL, ""},
		{"https://www.youtube.com/embed/videoseries?list=" + list, YouTube, KindPlaylist, list, plURL, ""},
		{"https://www.youtube-nocookie.com/embed/videoseries?si=x&list=" + list, YouTube, KindPlaylist, list, plURL, ""},
		{"https://www.youtube.com/playlist?list=" + album, YouTube, KindAlbum, album, albumURL, ""},
		// Channels: IDs, legacy names, handles, tabs.
		channel("https://www.youtube.com/channel/"+chanID, chanID, "https://www.youtube.com/channel/"+chanID),
		channel("https://www.youtube.com/channel/"+chanID+"/videos", chanID, "https://www.youtube.com/channel/"+chanID+"/videos"),
		channel("https://m.youtube.com/channel/"+chanID+"/featured?si=x", chanID, "https://www.youtube.com/channel/"+chanID+"/featured"),
		channel("https://www.youtube.com/c/RickAstleyVEVO", "RickAstleyVEVO", "https://www.youtube.com/c/RickAstleyVEVO"),
		channel("https://www.youtube.com/user/RickAstleyVEVO/videos", "RickAstleyVEVO", "https://www.youtube.com/user/RickAstleyVEVO/videos"),
		channel("https://www.youtube.com/@RickAstleyYT", "@RickAstleyYT", "https://www.youtube.com/@RickAstleyYT"),
		channel("https://www.youtube.com/@RickAstleyYT/videos", "@RickAstleyYT", "https://www.youtube.com/@RickAstleyYT/videos"),
		channel("https://www.youtube.com/@RickAstleyYT/streams", "@RickAstleyYT", "https://www.youtube.com/@RickAstleyYT/streams"),
		channel("https://www.youtube.com/@RickAstleyYT/shorts", "@RickAstleyYT", "https://www.youtube.com/@RickAstleyYT/shorts"),
		channel("https://youtube.com/@RickAstleyYT/Videos?si=abc", "@RickAstleyYT", "https://www.youtube.com/@RickAstleyYT/videos"),
		channel("https://m.youtube.com/@RickAstleyYT/about?si=1", "@RickAstleyYT", "https://www.youtube.com/@RickAstleyYT"),
		channel("https://www.youtube.com/@mkbhd.shorts", "@mkbhd.shorts", "https://www.youtube.com/@mkbhd.shorts"),
		channel("https://www.youtube.com/@%E3%81%BF%E3%82%93%E3%81%AA", "@みんな", "https://www.youtube.com/@%E3%81%BF%E3%82%93%E3%81%AA"),
		// YouTube Music.
		video("https://music.youtube.com/watch?v=dQw4w9WgXcQ&si=x"),
		video("https://music.youtube.com/watch?v=dQw4w9WgXcQ&feature=share"),
		inList("https://music.youtube.com/watch?v=dQw4w9WgXcQ&list=RDAMVMdQw4w9WgXcQ", "RDAMVMdQw4w9WgXcQ"),
		{"https://music.youtube.com/playlist?list=" + album, YouTube, KindAlbum, album, albumURL, ""},
		{"https://music.youtube.com/playlist?list=" + list + "&si=x", YouTube, KindPlaylist, list, plURL, ""},
		{"https://music.youtube.com/browse/MPREb_9nqEki4ZDpp", YouTube, KindAlbum, "MPREb_9nqEki4ZDpp", "https://music.youtube.com/browse/MPREb_9nqEki4ZDpp", ""},
		{"https://music.youtube.com/browse/VL" + list, YouTube, KindPlaylist, list, plURL, ""},
		channel("https://music.youtube.com/channel/"+chanID+"?si=x", chanID, "https://music.youtube.com/channel/"+chanID),
		channel("https://music.youtube.com/browse/"+chanID, chanID, "https://music.youtube.com/channel/"+chanID),
		// YouTube, but nothing Downlink can name.
		unknown("https://www.youtube.com/"),
		unknown("https://youtu.be/"),
		unknown("https://www.youtube.com/watch?v=short"),
		unknown("https://www.youtube.com/watch?v=dQw4w9WgXcQ!"),
		unknown("https://www.youtube.com/shorts/"),
		unknown("https://www.youtube.com/results?search_query=rick+astley"),
		unknown("https://www.youtube.com/feed/subscriptions"),
		unknown("https://www.youtube.com/channel/notachannel"),
		unknown("https://www.youtube.com/@a"),
		unknown("https://music.youtube.com/browse/FEmusic_home"),
		unknown("https://www.youtube.com/attribution_link?u=https://evil.example/watch?v=dQw4w9WgXcQ"),
	})
}
