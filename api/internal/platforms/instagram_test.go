package platforms

import "testing"

func TestDetectInstagram(t *testing.T) {
	const (
		post = "C0VJ9oYMFqz"
		reel = "Cx3KbvmLz3Y"
		tv   = "B8XbH0_nsAq"
	)
	p := func(raw string) detectCase {
		return detectCase{raw, Instagram, KindPost, post, "https://www.instagram.com/p/" + post + "/", ""}
	}
	r := func(raw string) detectCase {
		return detectCase{raw, Instagram, KindReel, reel, "https://www.instagram.com/reel/" + reel + "/", ""}
	}
	tvc := func(raw string) detectCase {
		return detectCase{raw, Instagram, KindTV, tv, "https://www.instagram.com/tv/" + tv + "/", ""}
	}
	story := func(raw, id, canonical string) detectCase {
		return detectCase{raw, Instagram, KindStory, id, canonical, ""}
	}
	unknown := func(raw string) detectCase { return detectCase{raw, Instagram, KindUnknown, "", "", ""} }
	long := "DBxLhv1Nx3L_Jm8lQyVqK1JsQ0hAXcR9ZqYJ8w0"

	runDetectCases(t, []detectCase{
		p("https://www.instagram.com/p/C0VJ9oYMFqz/"),
		p("https://www.instagram.com/p/C0VJ9oYMFqz"),
		p("https://instagram.com/p/C0VJ9oYMFqz/"),
		p("https://m.instagram.com/p/C0VJ9oYMFqz/"),
		p("http://instagram.com/p/C0VJ9oYMFqz"),
		p("https://instagr.am/p/C0VJ9oYMFqz/"),
		p("https://www.instagram.com/p/C0VJ9oYMFqz/?utm_source=ig_web_copy_link"),
		p("https://www.instagram.com/p/C0VJ9oYMFqz/?igsh=MXh2b2x5dWd2eXJ1aw=="),
		p("https://www.instagram.com/p/C0VJ9oYMFqz/?igshid=YmMyMTA2M2Y="),
		p("https://www.instagram.com/p/C0VJ9oYMFqz/?img_index=2"),
		p("https://www.instagram.com/p/C0VJ9oYMFqz/?utm_source=ig_web_button_share_sheet&igsh=ZDNlZDc0MzIxNw=="),
		p("https://www.instagram.com/p/C0VJ9oYMFqz/?hl=de"),
		p("https://www.instagram.com/p/C0VJ9oYMFqz/embed/"),
		p("https://www.instagram.com/p/C0VJ9oYMFqz/embed/captioned/"),
		p("https://www.instagram.com/p/C0VJ9oYMFqz/c/17890000000000000/"),
		p("https://www.instagram.com/natgeo/p/C0VJ9oYMFqz/"),
		p("https://www.instagram.com/nat.geo_/p/C0VJ9oYMFqz/?img_index=1"),
		p("https://WWW.INSTAGRAM.COM./p/C0VJ9oYMFqz/"),
		p("https://www.instagram.com:443/p/C0VJ9oYMFqz/"),
		p("https://www.instagram.com/P/C0VJ9oYMFqz/"),
		p("https://www.instagram.com/p/C0VJ9oYMFqz/#comments"),
		{"https://www.instagram.com/p/" + long + "/", Instagram, KindPost, long, "https://www.instagram.com/p/" + long + "/", ""},
		r("https://www.instagram.com/reel/Cx3KbvmLz3Y/"),
		r("https://www.instagram.com/reel/Cx3KbvmLz3Y"),
		r("https://www.instagram.com/reel/Cx3KbvmLz3Y/?igsh=abc"),
		r("https://www.instagram.com/reel/Cx3KbvmLz3Y/?utm_source=ig_web_copy_link&igsh=MzRlODBiNWFlZA=="),
		r("https://www.instagram.com/reel/Cx3KbvmLz3Y/?hl=en"),
		r("https://instagram.com/reel/Cx3KbvmLz3Y"),
		r("https://m.instagram.com/reel/Cx3KbvmLz3Y/"),
		r("https://www.instagram.com/reels/Cx3KbvmLz3Y/"),
		r("https://www.instagram.com/reels/Cx3KbvmLz3Y/?igshid=x"),
		r("https://www.instagram.com/natgeo/reel/Cx3KbvmLz3Y/"),
		r("https://www.instagram.com/reel/Cx3KbvmLz3Y/embed"),
		tvc("https://www.instagram.com/tv/B8XbH0_nsAq/"),
		tvc("https://www.instagram.com/tv/B8XbH0_nsAq/?igshid=x"),
		tvc("https://www.instagram.com/natgeo/tv/B8XbH0_nsAq/"),
		story("https://www.instagram.com/stories/natgeo/3245678901234567890/", "3245678901234567890", "https://www.instagram.com/stories/natgeo/3245678901234567890/"),
		story("https://www.instagram.com/stories/natgeo/3245678901234567890/?utm_source=ig_story_item_share&igsh=x", "3245678901234567890", "https://www.instagram.com/stories/natgeo/3245678901234567890/"),
		story("https://instagram.com/stories/natgeo", "natgeo", "https://www.instagram.com/stories/natgeo/"),
		story("https://www.instagram.com/stories/highlights/17912345678901234/", "17912345678901234", "https://www.instagram.com/stories/highlights/17912345678901234/"),
		// Instagram, but not a media item Downlink can name.
		unknown("https://www.instagram.com/"),
		unknown("https://www.instagram.com/natgeo/"),
		unknown("https://www.instagram.com/explore/tags/cats/"),
		unknown("https://www.instagram.com/reels/"),
		unknown("https://www.instagram.com/reels/audio/123456789/"),
		unknown("https://www.instagram.com/p/"),
		unknown("https://www.instagram.com/p/ab/"),
		unknown("https://www.instagram.com/p/C0VJ9oYM%21qz/"),
		unknown("https://www.instagram.com/accounts/login/?next=/p/C0VJ9oYMFqz/"),
		unknown("https://www.instagram.com/share/reel/BAHsU1xRwW/"),
		unknown("https://www.instagram.com/stories/highlights/"),
		unknown("https://www.instagram.com/stories/bad*user/123/"),
	})
}
