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
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
	"github.com/leistungsfinder/leistungsfinder/graph"
	"github.com/leistungsfinder/leistungsfinder/graph/web"
	"github.com/leistungsfinder/leistungsfinder/search"
)

// Server is the running catalogue: store, HTTP server and the parts between.
// Start order is store, demo load, search index, HTTP; Close stops them in
// reverse.
type Server struct {
	Addr    string
	DataDir string
	Portal  string
	NoDemo  bool
	// RegionsOnly loads only the region list into an empty data directory
	// (demo.LoadRegions): for a portal other than the demo's.
	RegionsOnly bool
	// GCPercent is the garbage collector's target unless GOGC is set. The
	// live heap is small (tens of MB) and the machine has memory to spare:
	// collecting less often doubled throughput on the 2-core reference
	// machine (see the closing note of the catalogue core issue).
	GCPercent int
	// GCMinHeapMB is the heap the collector lets grow before collecting
	// while the live heap is small (gcFloorLoop); 0: GCPercent alone.
	GCMinHeapMB int
	// AdminToken enables /admin/backup for operators; empty disables it.
	AdminToken string
	Log        *slog.Logger
	// Now is the one clock of the server (time.Now if nil): the store,
	// search, the GraphQL layer and federation all read it through
	// Store.Now, so that a test can set the date for all of them.
	Now func() time.Time

	// ResponseCache is how many anonymous answers the API keeps while the
	// store's revision is unchanged (0: none).
	ResponseCache int
	// Retention is how many change-log revisions the federation feed
	// keeps; older ones are compacted away (peers then resync from the
	// snapshot).
	Retention int
	// SearchLogRetention is how many days the anonymous search log keeps;
	// SearchLogMinRequests and SearchLogMinDays are the threshold a query
	// must reach before searchInsights shows it.
	SearchLogRetention, SearchLogMinRequests, SearchLogMinDays int
	// AuditRetention bounds the audit log (age or count; zero keeps all).
	// What is trimmed is logged.
	AuditRetention catalog.AuditRetention
	// XZuFiInterval is the least time between two XZuFi exports for the
	// gateway (/xzufi/index.txt; one is made when it asks and the store
	// changed); XZuFiMaxShrink the largest share of objects an export may
	// drop before it is refused.
	XZuFiInterval  time.Duration
	XZuFiMaxShrink float64
	// CORSOrigins may call the API from the browser ("*": any origin, for
	// anonymous reads); empty turns CORS off.
	CORSOrigins []string
	// DisableIntrospection refuses __schema and __type queries.
	DisableIntrospection bool

	Store    *catalog.Store
	Index    *search.Index
	QueryLog *search.QueryLog
	Feed     *federation.Feed
	Mirror   *federation.Mirror
	XZuFi    *xzufi.Publisher
	stopRun  context.CancelFunc
	running  sync.WaitGroup // followers of the change log: index, mirror, compaction
	listener net.Listener
	http     *http.Server
	ready    atomic.Bool
	// readOnly: the data directory cannot be written (a read-only mount):
	// the server answers reads, refuses writes, keeps its search index in
	// memory and does not mirror peers.
	readOnly bool
}

// ParseFlags reads the serve flags with environment fallbacks.
func (s *Server) ParseFlags(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&s.Addr, "addr", env("LF_ADDR", "127.0.0.1:8080"), "listen address (LF_ADDR)")
	fs.StringVar(&s.DataDir, "data", env("LF_DATA", "data"), "data directory (LF_DATA)")
	fs.StringVar(&s.Portal, "portal", env("LF_PORTAL", "HE"), "this portal's ID in the network (LF_PORTAL)")
	fs.StringVar(&s.AdminToken, "admin-token", env("LF_ADMIN_TOKEN", ""), "operator token for /admin/backup (LF_ADMIN_TOKEN); empty disables it")
	fs.IntVar(&s.Retention, "retention", envInt("LF_RETENTION", 1_000_000), "change-log revisions the federation feed keeps (LF_RETENTION)")
	fs.IntVar(&s.ResponseCache, "response-cache", envInt("LF_RESPONSE_CACHE", 4096), "anonymous answers kept, valid while the store's revision is unchanged; 0 disables (LF_RESPONSE_CACHE)")
	fs.IntVar(&s.SearchLogRetention, "search-log-retention", envInt("LF_SEARCH_LOG_RETENTION", 90), "days the anonymous search log keeps (LF_SEARCH_LOG_RETENTION)")
	fs.IntVar(&s.SearchLogMinRequests, "search-log-min-requests", envInt("LF_SEARCH_LOG_MIN_REQUESTS", 5), "searches before searchInsights shows a query (LF_SEARCH_LOG_MIN_REQUESTS)")
	fs.IntVar(&s.SearchLogMinDays, "search-log-min-days", envInt("LF_SEARCH_LOG_MIN_DAYS", 2), "distinct days before searchInsights shows a query (LF_SEARCH_LOG_MIN_DAYS)")
	fs.DurationVar(&s.AuditRetention.MaxAge, "audit-max-age", envDuration("LF_AUDIT_MAX_AGE", 0), "remove audit entries older than this, e.g. 8760h; 0 keeps them (LF_AUDIT_MAX_AGE)")
	fs.IntVar(&s.AuditRetention.MaxEntries, "audit-max-entries", envInt("LF_AUDIT_MAX_ENTRIES", 0), "keep only this many newest audit entries; 0 keeps all (LF_AUDIT_MAX_ENTRIES)")
	fs.DurationVar(&s.XZuFiInterval, "xzufi-interval", envDuration("LF_XZUFI_INTERVAL", 5*time.Minute), "least time between two XZuFi exports at /xzufi/ (LF_XZUFI_INTERVAL)")
	fs.Float64Var(&s.XZuFiMaxShrink, "xzufi-max-shrink", 0.2, "largest share of objects an XZuFi export may drop compared with the last published one")
	cors := fs.String("cors-origins", env("LF_CORS_ORIGINS", ""), "comma-separated origins that may call the API from the browser, with credentials; * allows any origin for anonymous reads (LF_CORS_ORIGINS)")
	fs.BoolVar(&s.DisableIntrospection, "disable-introspection", envBool("LF_DISABLE_INTROSPECTION", false), "refuse introspection queries (__schema, __type); GraphiQL and code generators need it (LF_DISABLE_INTROSPECTION)")
	fs.BoolVar(&s.NoDemo, "no-demo", false, "do not load the demo catalogue into an empty data directory")
	fs.BoolVar(&s.RegionsOnly, "regions-only", false, "load only the nationwide region list (every German region key) into an empty data directory, not Hessen's demo catalogue: for a portal of another state")
	fs.IntVar(&s.GCPercent, "gc-percent", envInt("LF_GC_PERCENT", 400), "garbage collector target (GOGC) unless GOGC is set (LF_GC_PERCENT)")
	fs.IntVar(&s.GCMinHeapMB, "gc-min-heap", envInt("LF_GC_MIN_HEAP_MB", defaultGCMinHeapMB), "MB the heap may grow to before the garbage collector runs, however small the live heap, unless GOGC is set; 0: -gc-percent alone (LF_GC_MIN_HEAP_MB)")
	level := fs.String("log-level", env("LF_LOG_LEVEL", "info"), "debug, info, warn or error (LF_LOG_LEVEL)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s.Log = newLogger(stderr, *level)
	s.CORSOrigins = graph.ParseOrigins(*cors)
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
	st, err := s.openStoreWithDemo(ctx)
	if err != nil {
		return err
	}
	s.Store = st

	start := time.Now()
	indexPath := filepath.Join(s.DataDir, "search.bleve")
	if s.readOnly {
		indexPath = "" // in memory
	}
	ix, err := search.Open(indexPath, st, s.Log)
	if err != nil {
		return fmt.Errorf("open search index: %w", err)
	}
	s.Index = ix
	qlOpt := search.QueryLogOptions{Now: st.Now, RetentionDays: s.SearchLogRetention,
		MinRequests: s.SearchLogMinRequests, MinDays: s.SearchLogMinDays}
	ql, err := search.OpenQueryLog(filepath.Join(s.DataDir, "searchlog.db"), qlOpt)
	if err != nil {
		// A read-only data directory serves reads; the search log then
		// lives until the server stops.
		s.Log.Warn("the search log cannot be written to the data directory: keeping it in memory only", "err", err)
		if ql, err = search.OpenQueryLog("", qlOpt); err != nil {
			return err
		}
	}
	s.QueryLog = ql
	n, _ := ix.DocCount()
	s.Log.Info("search index ready", "documents", n, "revision", ix.Revision(), "took", time.Since(start))
	// The index follows the change log from here on.
	runCtx, stop := context.WithCancel(context.Background())
	s.stopRun = stop
	if _, set := os.LookupEnv("GOGC"); !set && s.GCPercent > 0 && s.GCMinHeapMB > 0 {
		s.running.Go(func() { gcFloorLoop(runCtx, s.GCPercent, uint64(s.GCMinHeapMB)<<20, time.Second) })
	}
	s.running.Go(func() {
		if err := ix.Run(runCtx); err != nil && runCtx.Err() == nil {
			s.Log.Error("search index stopped following the change log", "err", err)
		}
	})
	s.running.Go(func() { s.flushLoop(runCtx) })

	// Federation: our signed feed for peers, and a puller per configured peer.
	key, err := federation.LoadOrCreateKey(filepath.Join(s.DataDir, "federation.key"))
	if err != nil {
		return fmt.Errorf("federation key: %w", err)
	}
	retention := s.Retention
	if retention <= 0 {
		retention = 1_000_000
	}
	s.Feed = federation.NewFeed(st, key, "", federation.FeedOptions{Retention: retention, Logger: s.Log})
	peers, err := federation.Peers(ctx, st)
	if err != nil {
		return err
	}
	s.Mirror = federation.NewMirror(st, federation.PullerOptions{Logger: s.Log})
	var fanOut *federation.FanOut
	if len(peers) > 0 {
		fanOut = federation.NewFanOut(peers, federation.FanOutOptions{Now: st.Now})
		s.Log.Info("federation: mirroring peers", "peers", len(peers))
	}
	if !s.readOnly {
		// Loaded before the server answers, so federationStatus lists every
		// peer from the first request on. Load logs each peer it cannot
		// start; the others run.
		_ = s.Mirror.Load(ctx)
		s.running.Go(func() { s.Mirror.Run(runCtx) })
		s.trimAudit(ctx)
		s.running.Go(func() { s.compactLoop(runCtx) })
	}
	// The XZuFi export for the portal network's gateway, made when the
	// gateway asks for it and the store changed (served from what was
	// last exported when the data directory is read-only).
	s.XZuFi = xzufi.NewPublisher(st, filepath.Join(s.DataDir, "xzufi"), xzufi.ExportOptions{MaxShrink: s.XZuFiMaxShrink}, s.Log)
	interval := s.XZuFiInterval
	if interval <= 0 {
		interval = 5 * time.Minute
	}
	if !s.readOnly {
		s.running.Go(func() { s.XZuFi.Run(runCtx, interval) })
	}

	metrics := graph.NewMetrics()
	metrics.Gauge("leistungsfinder_store_revision", "Last committed change-log revision.", func() float64 { return float64(st.Revision()) })
	metrics.Gauge("leistungsfinder_audit_entries", "Entries in the audit log.", func() float64 {
		n, _, _ := st.AuditSize()
		return float64(n)
	})
	metrics.Gauge("leistungsfinder_search_revision", "Change-log revision the search index has applied.", func() float64 { return float64(ix.Revision()) })
	metrics.Register(federation.NewCollector(s.Mirror))
	metrics.Gauge("leistungsfinder_search_available", "1 when a search index serves searches, 0 while it is rebuilt after a failure.", func() float64 {
		if ix.Health().Available {
			return 1
		}
		return 0
	})
	metrics.Gauge("leistungsfinder_search_zero_result_rate", "Share of the searches since the start that found nothing.", func() float64 {
		n, z := ql.Totals()
		if n == 0 {
			return 0
		}
		return float64(z) / float64(n)
	})
	metrics.Gauge("leistungsfinder_search_failures", "Catch-ups and rebuilds of the search index that failed in a row (0: following the change log).", func() float64 { return float64(ix.Health().Failures) })
	mux := http.NewServeMux()
	route := func(pattern, name string, h http.Handler) { mux.Handle(pattern, metrics.Middleware(name, s.Log, h)) }
	api := graph.NewHandler(graph.Options{Store: st, Search: ix, Mirror: s.Mirror, FanOut: fanOut, Logger: s.Log, Metrics: metrics,
		CacheMaxAge: time.Minute, ResponseCache: s.ResponseCache, DisableIntrospection: s.DisableIntrospection, QueryLog: ql})
	route("/graphql", "/graphql", graph.CORS{Origins: s.CORSOrigins}.Handler(api))
	for _, p := range web.Pages() { // GraphiQL at /graphiql (/ points there), portal preview, editor console
		route(p.Pattern, p.Name, p.Handler)
	}
	route("GET /healthz", "/healthz", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok\n") }))
	route("GET /readyz", "/readyz", http.HandlerFunc(s.readyz))
	route("/federation/", "/federation", s.Feed.Handler())
	route("GET /xzufi/", "/xzufi", s.XZuFi.Handler())
	route("GET /.well-known/jwks.json", "/.well-known/jwks.json", s.Feed.Handler())
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
	s.http.RegisterOnShutdown(s.Feed.Close) // end long polls
	go func() {
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.Log.Error("http server", "err", err)
		}
	}()
	s.ready.Store(true)
	base := "http://" + ln.Addr().String()
	s.Log.Info("listening", "addr", base, "explorer", base+"/graphiql", "graphql", base+"/graphql",
		"revision", st.Revision(), "cors_origins", s.CORSOrigins, "introspection", !s.DisableIntrospection)
	return nil
}

// openStoreWithDemo opens the data directory's store and loads the demo
// catalogue into it when it is empty (unless NoDemo).
func (s *Server) openStoreWithDemo(ctx context.Context) (*catalog.Store, error) {
	if err := os.MkdirAll(s.DataDir, 0o750); err != nil {
		return nil, err
	}
	opt := catalog.Options{Portal: s.Portal, Logger: s.Log, Now: s.Now}
	st, err := catalog.Open(storePath(s.DataDir), opt)
	if errors.Is(err, syscall.EROFS) {
		s.Log.Warn("the data directory is read-only: serving reads only; every write is refused until it is writable and the server restarted", "dir", s.DataDir)
		s.readOnly, opt.ReadOnly = true, true
		if st, err = catalog.Open(storePath(s.DataDir), opt); err == nil {
			return st, nil
		}
	}
	if err != nil {
		return nil, err
	}
	err = s.loadDemo(ctx, st)
	if err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// loadDemo loads the demo catalogue into an empty store (unless NoDemo;
// only its region list with RegionsOnly),
// completes a load an earlier version left incomplete, adds the life
// situations, assignments and search dictionary entries the demo gained
// since a store was loaded (demo.Upgrade), and refuses a store
// that holds the demo of another portal than the one served.
func (s *Server) loadDemo(ctx context.Context, st *catalog.Store) error {
	var state demo.State
	services, regions := 0, 0
	err := st.View(ctx, func(tx *catalog.Tx) error {
		state, services, regions = demo.Inspect(tx), tx.Count(catalog.KindService), tx.Count(catalog.KindRegion)
		return nil
	})
	if err != nil {
		return err
	}
	switch {
	case state.Loaded() && st.Portal() != state.Portal:
		return fmt.Errorf("the data directory %s holds the demo catalogue of portal %s, served here as portal %s: "+
			"peers would receive %s's records as %s's and quarantine them all; start with -portal %s, or use another data directory",
			s.DataDir, state.Portal, st.Portal(), state.Portal, st.Portal(), state.Portal)
	case state.Incomplete:
		s.Log.Warn("the demo catalogue was not loaded completely (an earlier start was interrupted): completing it", "dir", s.DataDir)
	case state.Complete && !s.NoDemo:
		// A store loaded by an earlier version gets the life situations,
		// assignments and dictionary entries the demo gained since (the
		// search has no rules of its own); editors' changes stay.
		return demo.Upgrade(ctx, st, s.Log)
	case state.Complete || services > 0 || s.NoDemo:
		return nil
	case s.RegionsOnly && regions > 0:
		return nil
	case s.RegionsOnly:
		s.Log.Info("empty data directory: loading the region list only", "dir", s.DataDir)
		_, err := demo.LoadRegions(ctx, st, s.Log) // it logs its own summary line
		return err
	case st.Portal() != demo.Portal:
		return fmt.Errorf("the built-in demo catalogue is portal %s's; portal %s starts without it: add -no-demo, "+
			"or -regions-only for the nationwide region list alone (what it needs to mirror its peers)", demo.Portal, st.Portal())
	default:
		s.Log.Info("empty data directory: loading the built-in demo catalogue", "dir", s.DataDir)
	}
	if _, err := demo.Load(ctx, st, s.Log); err != nil { // it logs its own summary line
		return fmt.Errorf("load demo catalogue: %w", err)
	}
	return nil
}

// flushLoop writes the search log's counts every minute (a search never
// waits for the disk); Close flushes the rest.
func (s *Server) flushLoop(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.QueryLog.Flush(); err != nil {
				s.Log.Error("flushing the search log", "err", err)
			}
		}
	}
}

// compactLoop trims the change log to the retention now and then.
func (s *Server) compactLoop(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.trimAudit(ctx)
			if n, err := s.Feed.Compact(ctx); err != nil {
				s.Log.Error("compacting the change log", "err", err)
			} else if n > 0 {
				s.Log.Info("change log compacted", "removed", n)
			}
		}
	}
}

// trimAudit applies the audit retention and logs what it removed.
func (s *Server) trimAudit(ctx context.Context) {
	trim, err := s.Store.TrimAudit(ctx, s.AuditRetention)
	switch {
	case err != nil:
		s.Log.Error("trimming the audit log", "err", err)
	case trim.Removed > 0:
		s.Log.Warn("audit log trimmed to its retention (export it first with `leistungsfinder audit export` to keep it)",
			"removed", trim.Removed, "firstSeq", trim.FirstSeq, "lastSeq", trim.LastSeq,
			"oldest", trim.Oldest, "newest", trim.Newest,
			"maxAge", s.AuditRetention.MaxAge.String(), "maxEntries", s.AuditRetention.MaxEntries)
	}
}

// URL returns the server's base URL.
func (s *Server) URL() string { return "http://" + s.listener.Addr().String() }

func (s *Server) readyz(w http.ResponseWriter, _ *http.Request) {
	if !s.ready.Load() {
		http.Error(w, "starting\n", http.StatusServiceUnavailable)
		return
	}
	h := s.Index.Health()
	if !h.Available {
		http.Error(w, fmt.Sprintf("search index unavailable: %d failures, last: %s\n", h.Failures, h.LastError), http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintf(w, "ready revision=%d search=%d", s.Store.Revision(), s.Index.Revision())
	if h.Failures > 0 {
		// Searches still answer from the index as it was; say that it lags.
		fmt.Fprintf(w, " search_failures=%d last_error=%q", h.Failures, h.LastError)
	}
	fmt.Fprintln(w)
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
	if s.stopRun != nil {
		s.stopRun()
		s.running.Wait()
	}
	if s.QueryLog != nil {
		errs = append(errs, s.QueryLog.Close())
	}
	if s.Index != nil {
		errs = append(errs, s.Index.Close())
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
