package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

// Server is the running catalogue: store, HTTP server and the parts between.
// Start order is store, demo load, HTTP; Close stops them in reverse.
type Server struct {
	Addr    string
	DataDir string
	Portal  string
	NoDemo  bool
	// GCPercent is the garbage collector's target unless GOGC is set. The
	// live heap is small (tens of MB) and the machine has memory to spare:
	// collecting less often doubled throughput on the 2-core reference
	// machine (see the closing note of the catalogue core issue).
	GCPercent int
	// AdminToken enables /admin/backup for operators; empty disables it.
	AdminToken string
	Log        *slog.Logger

	Store    *catalog.Store
	listener net.Listener
	http     *http.Server
	ready    atomic.Bool
}

// ParseFlags reads the serve flags with environment fallbacks.
func (s *Server) ParseFlags(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&s.Addr, "addr", env("LF_ADDR", "127.0.0.1:8080"), "listen address (LF_ADDR)")
	fs.StringVar(&s.DataDir, "data", env("LF_DATA", "data"), "data directory (LF_DATA)")
	fs.StringVar(&s.Portal, "portal", env("LF_PORTAL", "HE"), "this portal's ID in the network (LF_PORTAL)")
	fs.StringVar(&s.AdminToken, "admin-token", env("LF_ADMIN_TOKEN", ""), "operator token for /admin/backup (LF_ADMIN_TOKEN); empty disables it")
	fs.BoolVar(&s.NoDemo, "no-demo", false, "do not load the demo catalogue into an empty data directory")
	fs.IntVar(&s.GCPercent, "gc-percent", envInt("LF_GC_PERCENT", 400), "garbage collector target (GOGC) unless GOGC is set (LF_GC_PERCENT)")
	level := fs.String("log-level", env("LF_LOG_LEVEL", "info"), "debug, info, warn or error (LF_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s.Log = newLogger(stderr, *level)
	return nil
}

// storePath is the store file inside a data directory.
func storePath(dataDir string) string { return filepath.Join(dataDir, "catalog.db") }

// Open opens the store, loads the demo catalogue into an empty one, and
// starts listening. It returns once the server accepts connections.
func (s *Server) Open(ctx context.Context) error {
	if _, set := os.LookupEnv("GOGC"); !set && s.GCPercent > 0 {
		debug.SetGCPercent(s.GCPercent)
	}
	if err := os.MkdirAll(s.DataDir, 0o750); err != nil {
		return err
	}
	st, err := catalog.Open(storePath(s.DataDir), catalog.Options{Portal: s.Portal, Logger: s.Log})
	if err != nil {
		return err
	}
	s.Store = st
	empty := false
	err = st.View(ctx, func(tx *catalog.Tx) error { empty = tx.Count(catalog.KindService) == 0; return nil })
	if err != nil {
		return err
	}
	if empty && !s.NoDemo {
		s.Log.Info("empty data directory: loading the built-in demo catalogue", "dir", s.DataDir)
		sum, err := demo.Load(ctx, st, s.Log)
		if err != nil {
			return fmt.Errorf("load demo catalogue: %w", err)
		}
		s.Log.Info("demo catalogue loaded", "services", sum.Services, "offices", sum.Offices, "regions", sum.Regions,
			"responsibilities", sum.Responsibilities)
	}

	metrics := graph.NewMetrics()
	metrics.Gauge("leistungsfinder_store_revision", "Last committed change-log revision.", func() float64 { return float64(st.Revision()) })
	mux := http.NewServeMux()
	route := func(pattern, name string, h http.Handler) { mux.Handle(pattern, metrics.Middleware(name, s.Log, h)) }
	route("/graphql", "/graphql", graph.NewHandler(graph.Options{Store: st, Logger: s.Log, CacheMaxAge: time.Minute}))
	route("GET /{$}", "/", graph.Playground("/graphql"))
	route("GET /healthz", "/healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") }))
	route("GET /readyz", "/readyz", http.HandlerFunc(s.readyz))
	mux.Handle("GET /metrics", metrics)
	if s.AdminToken != "" {
		route("GET /admin/backup", "/admin/backup", backupHandler(st, s.AdminToken))
	}

	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	s.listener = ln
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn)}
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Log.Error("http server", "err", err)
		}
	}()
	s.ready.Store(true)
	s.Log.Info("listening", "addr", "http://"+ln.Addr().String(), "graphql", "http://"+ln.Addr().String()+"/graphql",
		"revision", st.Revision())
	return nil
}

// URL returns the server's base URL.
func (s *Server) URL() string { return "http://" + s.listener.Addr().String() }

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "starting\n", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintf(w, "ready revision=%d\n", s.Store.Revision())
}

// Close shuts the HTTP server down gracefully, then closes the store.
func (s *Server) Close() error {
	s.ready.Store(false)
	var errs []error
	if s.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		errs = append(errs, s.http.Shutdown(ctx))
		cancel()
	}
	if s.Store != nil {
		errs = append(errs, s.Store.Close())
	}
	return errors.Join(errs...)
}

func runServe(ctx context.Context, args []string, _, stderr io.Writer) error {
	s := &Server{}
	if err := s.ParseFlags(args, stderr); err != nil {
		return err
	}
	if err := s.Open(ctx); err != nil {
		s.Close()
		return err
	}
	<-ctx.Done()
	s.Log.Info("shutting down")
	err := s.Close()
	s.Log.Info("stopped")
	return err
}
