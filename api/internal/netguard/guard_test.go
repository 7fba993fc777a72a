package netguard

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/downlink/downlink/api/internal/problem"
)

// fakeResolver answers from a table; names not in it do not exist. Each
// name may have several answers in turn (the last one repeats), which is how
// tests play DNS rebinding.
type fakeResolver struct {
	mu      sync.Mutex
	answers map[string][][]netip.Addr
	errs    map[string]error
	calls   map[string]int
}

func newFakeResolver(answers map[string]string) *fakeResolver {
	r := &fakeResolver{answers: map[string][][]netip.Addr{}, errs: map[string]error{}, calls: map[string]int{}}
	for name, addrs := range answers {
		r.add(name, addrs)
	}
	return r
}

// add appends one answer ("a,b,c") for name.
func (r *fakeResolver) add(name, addrs string) {
	var answer []netip.Addr
	for a := range strings.SplitSeq(addrs, ",") {
		answer = append(answer, netip.MustParseAddr(a))
	}
	r.mu.Lock()
	r.answers[name] = append(r.answers[name], answer)
	r.mu.Unlock()
}

func (r *fakeResolver) LookupNetIP(_ context.Context, network, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.calls[host]
	r.calls[host]++
	if err, ok := r.errs[host]; ok {
		return nil, err
	}
	answers, ok := r.answers[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return answers[min(n, len(answers)-1)], nil
}

func TestGuardAllowPrivate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		addr            string
		strict, lenient bool // allowed with AllowPrivate false / true
	}{
		{"8.8.8.8", true, true},
		{"127.0.0.1", false, true},
		{"::1", false, true},
		{"10.1.2.3", false, true},
		{"192.168.1.1", false, true},
		{"fd00::1", false, true},
		{"169.254.1.1", false, true},
		{"100.64.0.1", false, true},
		{"198.18.0.1", false, true},
		{"::ffff:127.0.0.1", false, true},
		// Never useful, always refused.
		{"169.254.169.254", false, false},
		{"::ffff:169.254.169.254", false, false},
		{"64:ff9b::a9fe:a9fe", false, false},
		{"fd00:ec2::254", false, false},
		{"100.100.100.200", false, false},
		{"0.0.0.0", false, false},
		{"::", false, false},
		{"224.0.0.1", false, false},
		{"255.255.255.255", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			a := netip.MustParseAddr(tt.addr)
			if got := (Guard{}).CheckAddr(a) == nil; got != tt.strict {
				t.Errorf("Guard{}.CheckAddr allowed = %v, want %v", got, tt.strict)
			}
			if got := (Guard{AllowPrivate: true}).CheckAddr(a) == nil; got != tt.lenient {
				t.Errorf("Guard{AllowPrivate}.CheckAddr allowed = %v, want %v", got, tt.lenient)
			}
		})
	}
}

// submissionResolver plays DNS for the submission tests.
func submissionResolver() *fakeResolver {
	r := newFakeResolver(map[string]string{
		"www.youtube.com":      "142.250.185.78,2a00:1450:4001:82a::200e",
		"youtu.be":             "142.250.185.78",
		"open.spotify.com":     "35.186.224.25",
		"example.com":          "93.184.215.14",
		"mixed.test":           "93.184.215.14,10.0.0.1",
		"metadata.test":        "169.254.169.254",
		"mapped.test":          "::ffff:169.254.169.254",
		"ula.test":             "fd00::1",
		"nat64.test":           "64:ff9b::7f00:1",
		"lan.test":             "192.168.1.20",
		"home.example.com":     "192.168.1.20",
		"localhost":            "127.0.0.1",
		"printer.local":        "192.168.1.30",
		"public-loopback.test": "127.0.0.1",
	})
	r.errs["flaky.test"] = &net.DNSError{Err: "server misbehaving", Name: "flaky.test", IsTemporary: true}
	return r
}

func TestSubmissionRefusesHostileURLs(t *testing.T) {
	t.Parallel()
	hostile := []string{
		"--exec=touch /tmp/pwned",
		"--batch-file=/etc/passwd",
		"file:///etc/passwd",
		"ftp://x",
		"data:text/html,<script>alert(1)</script>",
		"javascript:alert(1)",
		"http://169.254.169.254/",
		"http://169.254.169.254/latest/meta-data/iam/security-credentials/",
		"http://[::ffff:169.254.169.254]/",
		"http://[::ffff:a9fe:a9fe]/",
		"http://[0:0:0:0:0:ffff:169.254.169.254]/",
		"http://2852039166/",
		"http://0xa9fea9fe/",
		"http://0251.0376.0251.0376/",
		"http://169.254.43518/",
		"http://0x7f000001/",
		"http://127.1/",
		"http://0177.0.0.1/",
		"http://0/",
		"http://127.0.0.1:8080/",
		"http://[::1]/",
		"http://[::]/",
		"http://0.0.0.0/",
		"http://localhost/",
		"http://LOCALHOST./",
		"http://foo.localhost/",
		"http://printer.local/",
		"http://metadata.google.internal/computeMetadata/v1/",
		"http://10.0.0.1/",
		"http://172.16.5.4/",
		"http://192.168.1.1/",
		"http://[fd00::1]/",
		"http://[fe80::1]/",
		"http://100.64.0.1/",
		"http://100.100.100.200/",
		"http://[64:ff9b::a9fe:a9fe]/",
		"http://[64:ff9b::127.0.0.1]/",
		"http://[2002:a9fe:a9fe::]/",
		"http://[::127.0.0.1]/",
		"http://[fd00:ec2::254]/",
		"http://224.0.0.1/",
		"http://255.255.255.255/",
		"http://198.18.0.1/",
		"http://192.0.2.1/",
		"https://example.com/v#__youtubedl_smuggle=%7B%7D",
		"https://example.com/v#%5f%5FYouTubeDL%5fSmuggle=%7B%7D",
		"",
		"https://example.com/" + strings.Repeat("a", 100<<10),
		"https://user:pass@example.com/",
		"https://open.spotify.com@169.254.169.254/",
		"http://mixed.test/",
		"http://metadata.test/",
		"http://mapped.test/",
		"http://ula.test/",
		"http://nat64.test/",
		"http://lan.test/",
		"http://public-loopback.test/",
		"http://nx.test/",
	}
	r := submissionResolver()
	for _, raw := range hostile {
		name := raw
		if len(name) > 60 {
			name = name[:60]
		}
		t.Run(name, func(t *testing.T) {
			err := submit(Guard{}, r, raw)
			if err == nil {
				t.Fatalf("%q was accepted", name)
			}
			var pr *problem.Problem
			if !errors.As(err, &pr) || pr.Status != http.StatusUnprocessableEntity {
				t.Fatalf("err = %v, want a 422 problem", err)
			}
			if len(pr.Errors) != 1 || pr.Errors[0].Field != "url" {
				t.Errorf("field errors = %+v, want one for url", pr.Errors)
			}
			if strings.Contains(pr.Errors[0].Message, "169.254") || strings.Contains(pr.Errors[0].Message, "10.0.0.1") {
				t.Errorf("message %q leaks an address", pr.Errors[0].Message)
			}
		})
	}
}

func TestSubmissionAccepts(t *testing.T) {
	t.Parallel()
	r := submissionResolver()
	for _, raw := range []string{
		"https://www.youtube.com/watch?v=dQw4w9WgXcQ",
		"https://youtu.be/dQw4w9WgXcQ?si=x",
		"https://open.spotify.com/track/6rqhFgbbKwnb9MLmUQDhG6",
		"spotify:track:6rqhFgbbKwnb9MLmUQDhG6",
		"https://example.com/video.mp4",
		"http://8.8.8.8/",
		"http://[2606:4700:4700::1111]/",
		"http://[::ffff:8.8.8.8]/",
		"http://134744072/", // 8.8.8.8 in decimal: odd but public
	} {
		t.Run(raw, func(t *testing.T) {
			if err := submit(Guard{}, r, raw); err != nil {
				t.Fatalf("refused: %v", err)
			}
		})
	}
}

func TestSubmissionAllowPrivate(t *testing.T) {
	t.Parallel()
	r := submissionResolver()
	g := Guard{AllowPrivate: true}
	for _, raw := range []string{"http://127.0.0.1:8080/v.mp4", "http://localhost/", "http://lan.test/", "http://[fd00::1]/", "http://printer.local/", "http://0x7f000001/"} {
		if err := submit(g, r, raw); err != nil {
			t.Errorf("%s refused with AllowPrivate: %v", raw, err)
		}
	}
	for _, raw := range []string{"http://169.254.169.254/", "http://metadata.test/", "http://[::ffff:a9fe:a9fe]/", "http://0.0.0.0/", "--exec=id"} {
		if err := submit(g, r, raw); err == nil {
			t.Errorf("%s accepted with AllowPrivate", raw)
		}
	}
}

func TestCheckURLErrors(t *testing.T) {
	t.Parallel()
	r := submissionResolver()
	u, _ := ValidateURL("http://metadata.test/")
	err := Guard{}.CheckURL(context.Background(), u, r)
	var be *BlockedError
	if !errors.As(err, &be) || be.Reason != ReasonMetadata || be.Host != "metadata.test" || be.Addr != netip.MustParseAddr("169.254.169.254") {
		t.Errorf("cause = %#v, want metadata.test → 169.254.169.254 metadata", be)
	}
	if !strings.Contains(err.Error(), "metadata.test resolves to 169.254.169.254") {
		t.Errorf("log text %q lacks host and address", err.Error())
	}

	u, _ = ValidateURL("http://flaky.test/")
	err = Guard{}.CheckURL(context.Background(), u, r)
	if !errors.Is(err, problem.ErrUnavailable) {
		t.Errorf("temporary DNS failure = %v, want 503", err)
	}
	u, _ = ValidateURL("http://nx.test/")
	if err := (Guard{}).CheckURL(context.Background(), u, r); !errors.Is(err, problem.ErrValidation) {
		t.Errorf("unknown host = %v, want 422", err)
	}
}

func submit(g Guard, r Resolver, raw string) error {
	u, err := ValidateURL(raw)
	if err != nil {
		return err
	}
	return g.CheckURL(context.Background(), u, r)
}

func TestParseBlocked(t *testing.T) {
	t.Parallel()
	stderr := "ERROR: [generic] Unable to download webpage: HTTP Error 403: blocked destination: link-local (caused by <HTTPError 403: blocked destination: link-local>)"
	if r, ok := ParseBlocked(stderr); !ok || r != ReasonLinkLocal {
		t.Errorf("ParseBlocked = %q, %v", r, ok)
	}
	if _, ok := ParseBlocked("ERROR: HTTP Error 403: Forbidden"); ok {
		t.Error("ParseBlocked found a refusal in an ordinary 403")
	}
	if got := BlockedMessage(ReasonMetadata); got != "blocked destination: metadata" {
		t.Errorf("BlockedMessage = %q", got)
	}
}
