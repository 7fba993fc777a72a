package files

import "testing"

func TestSanitizeExt(t *testing.T) {
	cases := map[string]string{
		".mp4": ".mp4", "MP4": ".mp4", ".001.jpg": ".001.jpg", ".pt-BR.vtt": ".pt-br.vtt", ".en.live.vtt": ".en.live.vtt",
		"": "", ".": "", "..jpg": "", ".jpg.": "", ".a.b.c.d": "", ".jp-g": "", "../x": "", ".x/y": "",
		".toolongextension": "", ".j pg": "", ".é.jpg": "", ".001.jpg\x00": "",
	}
	for in, want := range cases {
		if got := SanitizeExt(in); got != want {
			t.Errorf("SanitizeExt(%q) = %q, want %q", in, got, want)
		}
	}
}
