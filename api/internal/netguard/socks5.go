package netguard

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"time"
)

// socks5Connect asks a SOCKS5 server (RFC 1928, with RFC 1929 user/password
// when user is set) on conn for a tunnel to dst. Only address requests are
// sent, never names: the destination was resolved and checked here. It is a
// few dozen lines, small enough not to add a module for.
func socks5Connect(ctx context.Context, conn net.Conn, dst netip.AddrPort, user, pass string) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(30 * time.Second)
	}
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	greeting := []byte{5, 1, 0} // version 5, one method: no authentication
	if user != "" {
		greeting = []byte{5, 2, 0, 2} // …or user/password
	}
	if _, err := conn.Write(greeting); err != nil {
		return err
	}
	var reply [2]byte
	if _, err := io.ReadFull(conn, reply[:]); err != nil {
		return err
	}
	switch {
	case reply[0] != 5:
		return errors.New("socks5: not a SOCKS5 server")
	case reply[1] == 2 && user != "":
		if len(user) > 255 || len(pass) > 255 {
			return errors.New("socks5: user name or password too long")
		}
		auth := append([]byte{1, byte(len(user))}, user...)
		auth = append(append(auth, byte(len(pass))), pass...)
		if _, err := conn.Write(auth); err != nil {
			return err
		}
		if _, err := io.ReadFull(conn, reply[:]); err != nil {
			return err
		}
		if reply[1] != 0 {
			return errors.New("socks5: authentication failed")
		}
	case reply[1] != 0:
		return fmt.Errorf("socks5: no acceptable authentication method (%d)", reply[1])
	}

	req := []byte{5, 1, 0} // CONNECT
	if a := dst.Addr(); a.Is4() {
		b := a.As4()
		req = append(append(req, 1), b[:]...)
	} else {
		b := a.As16()
		req = append(append(req, 4), b[:]...)
	}
	req = append(req, byte(dst.Port()>>8), byte(dst.Port()))
	if _, err := conn.Write(req); err != nil {
		return err
	}
	var head [4]byte
	if _, err := io.ReadFull(conn, head[:]); err != nil {
		return err
	}
	if head[0] != 5 || head[1] != 0 {
		return fmt.Errorf("socks5: server refused CONNECT (reply %d)", head[1])
	}
	var skip int // bound address and port, which we do not need
	switch head[3] {
	case 1:
		skip = 4 + 2
	case 4:
		skip = 16 + 2
	case 3:
		var n [1]byte
		if _, err := io.ReadFull(conn, n[:]); err != nil {
			return err
		}
		skip = int(n[0]) + 2
	default:
		return fmt.Errorf("socks5: bad address type %d in reply", head[3])
	}
	if _, err := io.CopyN(io.Discard, conn, int64(skip)); err != nil {
		return err
	}
	return conn.SetDeadline(time.Time{})
}
