package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// serveDebug serves Go's pprof profiles on the loopback DOWNLINK_DEBUG_ADDR
// until ctx ends, so an operator can see where a busy node spends its time
// (`go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=30`).
// It is off by default and never on the public listener.
func (a *App) serveDebug(ctx context.Context) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ln, err := net.Listen("tcp", a.Cfg.DebugAddr)
	if err != nil {
		a.Log.Error("cannot serve profiles", "addr", a.Cfg.DebugAddr, "err", err)
		return
	}
	a.Log.Info("serving Go profiles", "addr", ln.Addr().String())
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		a.Log.Error("profile server stopped", "err", err)
	}
}
