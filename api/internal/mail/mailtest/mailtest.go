// Package mailtest is a tiny SMTP server on 127.0.0.1 for tests: it speaks
// enough of RFC 5321 for net/smtp (EHLO, optional STARTTLS and AUTH
// PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and records every message.
package mailtest

import (
	"crypto/tls"
	"encoding/base64"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Message is one message the server received.
type Message struct {
	From     string
	To       []string
	Data     string
	Auth     string // "user:password" of AUTH PLAIN, if any
	StartTLS bool   // the session was upgraded before the message
}

// Server is the SMTP server.
type Server struct {
	Host string
	Port int

	t    testing.TB
	ln   net.Listener
	tls  *tls.Config
	mu   sync.Mutex
	msgs []Message
	got  chan struct{}
	wg   sync.WaitGroup
}

// Option adjusts the server.
type Option func(*Server)

// WithTLS offers STARTTLS with cfg.
func WithTLS(cfg *tls.Config) Option { return func(s *Server) { s.tls = cfg } }

// Start listens on 127.0.0.1 and stops when the test ends.
func Start(t testing.TB, opts ...Option) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, ln: ln, Host: "127.0.0.1", Port: ln.Addr().(*net.TCPAddr).Port, got: make(chan struct{}, 100)}
	for _, o := range opts {
		o(s)
	}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(func() {
		_ = ln.Close()
		s.wg.Wait()
	})
	return s
}

// Messages returns what was received so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait returns the n-th message (1-based) once it has arrived, failing the
// test if it does not within d.
func (s *Server) Wait(n int, d time.Duration) Message {
	s.t.Helper()
	deadline := time.After(d)
	for {
		if m := s.Messages(); len(m) >= n {
			return m[n-1]
		}
		select {
		case <-s.got:
		case <-deadline:
			s.t.Fatalf("mailtest: message %d did not arrive within %s (have %d)", n, d, len(s.Messages()))
		}
	}
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(30 * time.Second))
			s.session(c)
		}()
	}
}

func (s *Server) session(conn net.Conn) {
	tp := textproto.NewConn(conn)
	reply := func(code int, lines ...string) bool {
		for i, l := range lines {
			sep := " "
			if i < len(lines)-1 {
				sep = "-"
			}
			if err := tp.PrintfLine("%d%s%s", code, sep, l); err != nil {
				return false
			}
		}
		return true
	}
	reply(220, "mailtest ready")
	var cur Message
	upgraded := false
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			ext := []string{"mailtest", "8BITMIME", "AUTH PLAIN"}
			if s.tls != nil && !upgraded {
				ext = append(ext, "STARTTLS")
			}
			reply(250, ext...)
		case "STARTTLS":
			if s.tls == nil || upgraded {
				reply(502, "not offered")
				continue
			}
			reply(220, "go ahead")
			tc := tls.Server(conn, s.tls)
			if err := tc.Handshake(); err != nil {
				return
			}
			conn, upgraded = tc, true
			tp = textproto.NewConn(tc)
			cur = Message{}
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				reply(504, "only PLAIN")
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if err != nil || len(parts) != 3 {
				reply(501, "bad PLAIN")
				continue
			}
			cur.Auth = parts[1] + ":" + parts[2]
			reply(235, "ok")
		case "MAIL":
			cur.From = addrAfter(arg, "FROM:")
			reply(250, "ok")
		case "RCPT":
			cur.To = append(cur.To, addrAfter(arg, "TO:"))
			reply(250, "ok")
		case "DATA":
			reply(354, "end with .")
			data, err := tp.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data, cur.StartTLS = string(data), upgraded
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			s.mu.Unlock()
			select {
			case s.got <- struct{}{}:
			default:
			}
			auth := cur.Auth
			cur = Message{Auth: auth}
			reply(250, "queued as "+strconv.Itoa(len(s.Messages())))
		case "RSET":
			cur = Message{Auth: cur.Auth}
			reply(250, "ok")
		case "NOOP":
			reply(250, "ok")
		case "QUIT":
			reply(221, "bye")
			return
		default:
			reply(502, "unknown")
		}
	}
}

// addrAfter reads the address of "FROM:<a@b> SIZE=…" after its prefix.
func addrAfter(arg, prefix string) string {
	s := arg
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		s = s[len(prefix):]
	}
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, ' '); i >= 0 {
		s = s[:i]
	}
	return strings.Trim(s, "<>")
}
