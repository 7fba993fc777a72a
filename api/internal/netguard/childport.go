package netguard

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// ChildURL is the proxy URL to give a child process (yt-dlp's --proxy,
// which yt-dlp hands on to ffmpeg in its environment): a loopback port of
// this lease's own, opened on first use and closed with the lease, that
// needs no credentials. A command line is readable by every local user
// (ps), so the lease's token must not be on it; the port stands for the
// lease instead, and serves only connections from processes of Downlink's
// own user (on Linux, checked in /proc/net/tcp for each connection).
func (l *Lease) ChildURL() (string, error) {
	l.childMu.Lock()
	defer l.childMu.Unlock()
	if l.closed {
		return "", errors.New("netguard: lease closed")
	}
	if l.childSrv != nil {
		return "http://" + l.childAddr, nil
	}
	host, _, err := net.SplitHostPort(l.proxy.Addr())
	if err != nil {
		return "", err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", fmt.Errorf("netguard: child port: %w", err)
	}
	// Counted under the proxy's lock, so Close either waits for this
	// port or has already refused it.
	l.proxy.mu.Lock()
	closed := l.proxy.closed
	if !closed {
		l.proxy.childServers.Add(1)
	}
	l.proxy.mu.Unlock()
	if closed {
		_ = ln.Close()
		return "", errors.New("netguard: proxy closed")
	}
	l.childAddr = ln.Addr().String()
	l.childSrv = &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { l.proxy.serveLease(w, r, l) }),
		ReadHeaderTimeout: 15 * time.Second,
		IdleTimeout:       90 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(l.proxy.log.Handler(), slog.LevelDebug),
	}
	srv := l.childSrv
	go func() {
		defer l.proxy.childServers.Done()
		_ = srv.Serve(ownUserListener{Listener: ln, log: l.proxy.log})
	}()
	return "http://" + l.childAddr, nil
}

// closeChild stops the lease's child port.
func (l *Lease) closeChild() {
	l.childMu.Lock()
	defer l.childMu.Unlock()
	l.closed = true
	if l.childSrv != nil {
		_ = l.childSrv.Close()
	}
}

// ownUserListener accepts only connections from processes of this
// process's user, where the system can tell (Linux); others are closed.
type ownUserListener struct {
	net.Listener
	log *slog.Logger
}

func (o ownUserListener) Accept() (net.Conn, error) {
	for {
		c, err := o.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if ok, why := fromOwnUser(c); !ok {
			o.log.Warn("egress child port refused a connection", "peer", c.RemoteAddr().String(), "reason", why)
			_ = c.Close()
			continue
		}
		return c, nil
	}
}

// fromOwnUser looks the client's end of a loopback connection up in
// /proc/net/tcp{,6} and compares its owner with ours. Without /proc (not
// Linux) it allows the connection.
func fromOwnUser(c net.Conn) (bool, string) {
	local, lok := c.LocalAddr().(*net.TCPAddr)
	remote, rok := c.RemoteAddr().(*net.TCPAddr)
	if !lok || !rok {
		return false, "not TCP"
	}
	peer, self := remote.AddrPort(), local.AddrPort()
	found := false
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		uid, ok, err := socketOwner(name, peer, self)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		found = found || err == nil
		if ok {
			if uid != os.Getuid() {
				return false, "another user's process (uid " + strconv.Itoa(uid) + ")"
			}
			return true, ""
		}
	}
	if !found {
		return true, "" // no /proc: nothing to check with
	}
	return false, "the connecting socket was not found"
}

// socketOwner finds the socket whose local address is src and remote
// address dst in a /proc/net/tcp table and returns its uid.
func socketOwner(table string, src, dst netip.AddrPort) (int, bool, error) {
	f, err := os.Open(table)
	if err != nil {
		return 0, false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 8 {
			continue
		}
		l, lerr := parseProcAddr(fields[1])
		r, rerr := parseProcAddr(fields[2])
		if lerr != nil || rerr != nil || l != src || r != dst {
			continue
		}
		uid, err := strconv.Atoi(fields[7])
		if err != nil {
			return 0, false, err
		}
		return uid, true, nil
	}
	return 0, false, sc.Err()
}

// parseProcAddr reads "0100007F:1F90" (IPv4, or 32 hex digits for IPv6,
// each 32-bit word in host byte order — little-endian here) and port.
func parseProcAddr(s string) (netip.AddrPort, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.AddrPort{}, errors.New("no port")
	}
	raw, err := hex.DecodeString(a)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, errors.New("bad address")
	}
	for i := 0; i+4 <= len(raw); i += 4 {
		raw[i], raw[i+1], raw[i+2], raw[i+3] = raw[i+3], raw[i+2], raw[i+1], raw[i]
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.AddrPort{}, err
	}
	addr, _ := netip.AddrFromSlice(raw)
	return netip.AddrPortFrom(addr.Unmap(), uint16(port)), nil
}
