package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/backoff"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

// BenchQuery is what the page target asks: the full portal page for one
// service in one place (graph.ServicePageQuery, about 7 KB).
const BenchQuery = graph.ServicePageQuery

// LookupQuery is what the localService target asks, over many places
// (graph.PlaceLookupQuery).
const LookupQuery = graph.PlaceLookupQuery

// SearchQuery is what the search target asks for each citizen query: the
// first 20 hits with their service's name and keys.
const SearchQuery = `query Search($q: String!) {
  search(query: $q, first: 20) { totalCount hits { service { leikaKeys name } } }
}`

type benchResult struct {
	requests   int
	errors     int
	throughput float64
	p50, p99   time.Duration
	cpu        time.Duration // CPU time per request of this process (server and load generator) and of PostgreSQL's
}

// system is one thing a target measures: Leistungsfinder or a baseline.
type system struct {
	name string
	do   func(ctx context.Context, client, i int) error
	// otherCPU, when set, is the CPU time used so far by the processes
	// of the system outside this one (PostgreSQL's), counted into its
	// CPU per request.
	otherCPU func() time.Duration
	runs     []benchResult
}

type benchFlags struct {
	url, data, queries, pg, targets string
	clients, runs, places           int
	dur                             time.Duration
	leika, ars                      string
	cacheSize, rate                 int
	// the federation target (benchfed.go)
	allowWrites        bool
	writeRate          int
	fedDur, fedTimeout time.Duration
	fedARS             string
	cpuProfile         string
	fedMaxHeapMB       int
	fedMinFreeMB       int
	memProfile         string
}

// runBench measures the targets of BENCHMARKS.md against their baselines,
// each in the same run: every run measures each system of a target in
// turn, so that they share the machine's noise, and the medians are
// reported with the ratios.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f benchFlags
	fs.StringVar(&f.url, "url", "", "base URL of a running server (default: start one in-process)")
	fs.StringVar(&f.data, "data", "", "data directory for the in-process server, e.g. from gen --scale L (default: a fresh demo catalogue)")
	fs.StringVar(&f.targets, "targets", "page,localService,search", "what to measure: page (full service page vs plain net/http), localService (place lookups vs PostgreSQL), search (citizen queries vs PostgreSQL full-text search), federation (snapshot resync of an empty mirror and lag at -write-rate; not in the default set: it writes to the publisher)")
	fs.StringVar(&f.pg, "pg", "auto", "PostgreSQL baselines: auto (when PostgreSQL 15 is installed), off, or the directory of its binaries")
	fs.StringVar(&f.queries, "queries", "testdata/search/citizen-queries.txt", "query file of the search target")
	fs.IntVar(&f.clients, "c", 16, "concurrent clients")
	fs.DurationVar(&f.dur, "d", 5*time.Second, "duration of each run")
	fs.IntVar(&f.runs, "runs", 3, "runs per target; the median is reported")
	fs.IntVar(&f.places, "places", 1000, "(LeiKa key, place) pairs the localService target cycles through, taken from the catalogue")
	fs.StringVar(&f.leika, "leika", "99050012104000", "LeiKa key of the page target")
	fs.StringVar(&f.ars, "ars", "066360003003", "region key of the page target")
	fs.IntVar(&f.cacheSize, "response-cache", 0, "for the in-process server: anonymous answers it keeps (0: every request is computed)")
	fs.IntVar(&f.rate, "rate", 0, "total requests per second, paced (0: as fast as the clients go); latency is measured from the scheduled time")
	fs.BoolVar(&f.allowWrites, "allow-writes", false, "let the federation target write to the -data directory (it compacts the change log and updates offices): for a copy only")
	fs.IntVar(&f.writeRate, "write-rate", 100, "federation: writes per second on the publisher")
	fs.DurationVar(&f.fedDur, "fed-d", 30*time.Second, "federation: how long to write")
	fs.DurationVar(&f.fedTimeout, "fed-timeout", time.Hour, "federation: give up on a snapshot resync that takes longer")
	fs.IntVar(&f.fedMaxHeapMB, "fed-max-heap", 6144, "federation: abort (exit) when the Go heap passes this many MiB during the resync, to spare a shared machine; 0: no limit")
	fs.IntVar(&f.fedMinFreeMB, "fed-min-free", 8192, "federation: abort (exit) when less than this many MiB are free on the mirror's disk; 0: no limit")
	fs.StringVar(&f.memProfile, "memprofile", "", "federation: write a heap profile to this file when the resync ends (or is aborted)")
	fs.StringVar(&f.fedARS, "fed-ars", "060000000000", "federation: region key of the publisher's state, for the mirror's peer add")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the whole run (both in-process instances) to this file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(pf); err != nil {
			pf.Close()
			return err
		}
		defer func() { pprof.StopCPUProfile(); pf.Close() }()
	}
	if f.clients < 1 || f.runs < 1 || f.dur <= 0 {
		return errors.New("bench: -c, -runs and -d must be positive")
	}
	base := f.url
	var srv *Server
	if base == "" {
		dir := f.data
		if dir == "" {
			tmp, err := os.MkdirTemp("", "leistungsfinder-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(tmp)
			dir = tmp
			fmt.Fprintln(stdout, "starting an in-process server with the demo catalogue ...")
		} else {
			fmt.Fprintf(stdout, "starting an in-process server on %s ...\n", dir)
		}
		srv = &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "", NoDemo: f.data != "", GCPercent: 400, GCMinHeapMB: defaultGCMinHeapMB, ResponseCache: f.cacheSize, Log: newLogger(io.Discard, "error")}
		if err := srv.Open(ctx); err != nil {
			srv.Close()
			return err
		}
		defer srv.Close()
		base = srv.URL()
	}
	target := base + "/graphql"
	fmt.Fprintf(stdout, "bench: %d clients, %d runs of %s each, GOMAXPROCS %d\n", f.clients, f.runs, f.dur, runtime.GOMAXPROCS(0))

	var pg *pgBaseline
	wants := map[string]bool{}
	for _, t := range strings.Split(f.targets, ",") {
		wants[strings.TrimSpace(t)] = true
	}
	if f.pg != "off" && (wants["localService"] || wants["search"]) {
		if srv == nil {
			fmt.Fprintln(stdout, "bench: PostgreSQL baselines need the in-process server (its store is copied): skipped")
		} else {
			bin := ""
			if f.pg != "auto" {
				bin = f.pg
			}
			var err error
			if pg, err = startPGBaseline(ctx, bin, srv.Store, stdout); err != nil {
				fmt.Fprintf(stdout, "bench: PostgreSQL baselines skipped: %v\n", err)
				pg = nil
			} else {
				defer pg.Close()
			}
		}
	}

	var failed error
	if wants["page"] {
		if err := benchPage(ctx, f, srv, target, stdout); err != nil {
			failed = errors.Join(failed, err)
		}
	}
	if wants["localService"] {
		if err := benchLookup(ctx, f, srv, target, pg, stdout); err != nil {
			failed = errors.Join(failed, err)
		}
	}
	if wants["search"] {
		if err := benchSearch(ctx, f, target, pg, stdout); err != nil {
			failed = errors.Join(failed, err)
		}
	}
	if wants["federation"] { // last: it writes to the publisher
		if _, err := benchFederation(ctx, f, srv, stdout); err != nil {
			failed = errors.Join(failed, err)
		}
	}
	return failed
}

func graphqlBody(query string, vars map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return b
}

// httpSystem posts the bodies in turn to url.
func httpSystem(name, url string, bodies [][]byte, clients int) *system {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	return &system{name: name, do: func(ctx context.Context, _, i int) error {
		b, err := post(ctx, c, url, bodies[i%len(bodies)])
		if err == nil && bytes.Contains(b, []byte(`"errors"`)) {
			err = fmt.Errorf("error answer: %.200s", b)
		}
		return err
	}}
}

// measure runs every system of a target once per run, in turn, and prints
// each run and the medians with the ratios to the first system.
func measure(ctx context.Context, f benchFlags, title string, systems []*system, stdout io.Writer) error {
	fmt.Fprintf(stdout, "\n== %s\n", title)
	for run := 0; run < f.runs; run++ {
		for _, s := range systems {
			r := load(ctx, f.clients, f.dur, f.rate, s.do, s.otherCPU)
			s.runs = append(s.runs, r)
			fmt.Fprintf(stdout, "  run %d/%d %-28s %8.0f req/s  p50 %-9s p99 %-9s cpu/req %-8s errors %d\n", run+1, f.runs, s.name,
				r.throughput, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), r.cpu.Round(time.Microsecond), r.errors)
			if ctx.Err() != nil {
				return ctx.Err()
			}
		}
	}
	first := medianResult(systems[0].runs)
	var errs error
	for _, s := range systems {
		m := medianResult(s.runs)
		fmt.Fprintf(stdout, "  median %-27s %8.0f req/s  p50 %-9s p99 %-9s cpu/req %-8s", s.name, m.throughput,
			m.p50.Round(time.Microsecond), m.p99.Round(time.Microsecond), m.cpu.Round(time.Microsecond))
		if s != systems[0] {
			fmt.Fprintf(stdout, "  %s/%s %.2f", systems[0].name, s.name, first.throughput/m.throughput)
		}
		fmt.Fprintln(stdout)
		if m.errors > 0 {
			errs = errors.Join(errs, fmt.Errorf("%s: %d requests failed", s.name, m.errors))
		}
	}
	return errs
}

// benchPage measures the full service page against a plain net/http
// handler serving the very bytes the catalogue answered with, and reports
// the allocations of one request through the server's handler.
func benchPage(ctx context.Context, f benchFlags, srv *Server, target string, stdout io.Writer) error {
	body := graphqlBody(BenchQuery, map[string]any{"leika": f.leika, "ars": f.ars})
	want, err := post(ctx, http.DefaultClient, target, body)
	if err != nil {
		return fmt.Errorf("page: first request: %w", err)
	}
	if bytes.Contains(want, []byte(`"errors"`)) || !bytes.Contains(want, []byte(`"localService":{`)) {
		return fmt.Errorf("page: the server answered with an error: %.300s", want)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	baseline := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(want)
	})}
	go baseline.Serve(ln)
	defer baseline.Close()
	if srv != nil {
		allocs, bytes := handlerAllocs(srv.http.Handler, body, 2000)
		fmt.Fprintf(stdout, "\npage: %d bytes; one request through the handler allocates %.0f times, %.1f KB\n", len(want), allocs, bytes/1024)
	}
	return measure(ctx, f, fmt.Sprintf("full service page (%d bytes), uncached", len(want)), []*system{
		httpSystem("leistungsfinder", target, [][]byte{body}, f.clients),
		httpSystem("plain net/http, same bytes", "http://"+ln.Addr().String()+"/graphql", [][]byte{body}, f.clients),
	}, stdout)
}

// handlerAllocs returns the allocations and bytes allocated per request of
// n sequential requests through h, without the network.
func handlerAllocs(h http.Handler, body []byte, n int) (allocs, bytes float64) {
	do := func() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	do()
	var a, b runtime.MemStats
	runtime.ReadMemStats(&a)
	for i := 0; i < n; i++ {
		do()
	}
	runtime.ReadMemStats(&b)
	return float64(b.Mallocs-a.Mallocs) / float64(n), float64(b.TotalAlloc-a.TotalAlloc) / float64(n)
}

// benchLookup measures localService over many places against the same
// lookup as one SQL function in PostgreSQL, behind a GraphQL layer and
// alone.
func benchLookup(ctx context.Context, f benchFlags, srv *Server, target string, pg *pgBaseline, stdout io.Writer) error {
	pairs := [][2]string{{f.leika, f.ars}}
	if srv != nil {
		var err error
		if pairs, err = samplePlaces(ctx, srv.Store, f.places); err != nil {
			return err
		}
	}
	bodies := make([][]byte, len(pairs))
	for i, p := range pairs {
		bodies[i] = graphqlBody(LookupQuery, map[string]any{"leika": p[0], "ars": p[1]})
	}
	systems := []*system{httpSystem("leistungsfinder", target, bodies, f.clients)}
	if pg != nil {
		layer := httpSystem("postgres via graphql layer", pg.url, bodies, f.clients)
		layer.otherCPU = pg.cluster.cpu
		systems = append(systems, layer,
			&system{name: "postgres sql only", otherCPU: pg.cluster.cpu, do: func(ctx context.Context, _, i int) error {
				var js []byte
				p := pairs[i%len(pairs)]
				return pg.db.QueryRowContext(ctx, "SELECT local_service($1, $2)", p[0], p[1]).Scan(&js)
			}})
	}
	return measure(ctx, f, fmt.Sprintf("localService over %d places, uncached", len(pairs)), systems, stdout)
}

// samplePlaces returns n (LeiKa key, place) pairs spread over the
// catalogue (catalog.Tx.SamplePlaces).
func samplePlaces(ctx context.Context, st *catalog.Store, n int) (out [][2]string, err error) {
	err = st.View(ctx, func(tx *catalog.Tx) error {
		out, err = tx.SamplePlaces(n)
		return err
	})
	if err == nil && len(out) == 0 {
		err = errors.New("bench: the catalogue has no responsibilities to look up")
	}
	return out, err
}

// benchSearch measures the citizen queries against PostgreSQL's full-text
// search on the same services.
func benchSearch(ctx context.Context, f benchFlags, target string, pg *pgBaseline, stdout io.Writer) error {
	b, err := os.ReadFile(f.queries)
	if err != nil {
		return fmt.Errorf("search: %w (run from the repository root or give -queries)", err)
	}
	var qs []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			qs = append(qs, l)
		}
	}
	bodies := make([][]byte, len(qs))
	for i, q := range qs {
		bodies[i] = graphqlBody(SearchQuery, map[string]any{"q": q})
	}
	systems := []*system{httpSystem("leistungsfinder", target, bodies, f.clients)}
	if pg != nil {
		pgBodies := make([][]byte, len(qs))
		for i, q := range qs {
			pgBodies[i] = graphqlBody(`query Search($q: String!) { search(query: $q, first: 20) { hits { service { leikaKeys name } } } }`, map[string]any{"q": q})
		}
		layer := httpSystem("postgres fts via graphql layer", pg.url, pgBodies, f.clients)
		layer.otherCPU = pg.cluster.cpu
		systems = append(systems, layer,
			&system{name: "postgres fts sql only", otherCPU: pg.cluster.cpu, do: func(ctx context.Context, _, i int) error {
				rows, err := pg.db.QueryContext(ctx, pgSearchSQL, qs[i%len(qs)])
				if err != nil {
					return err
				}
				for rows.Next() {
				}
				rows.Close()
				return rows.Err()
			}})
	}
	return measure(ctx, f, fmt.Sprintf("search, %d citizen queries, first 20, uncached", len(qs)), systems, stdout)
}

// pgBaseline is the private PostgreSQL cluster with the catalogue loaded,
// a connection pool and the GraphQL layer on loopback.
type pgBaseline struct {
	cluster *pgCluster
	db      *sql.DB
	http    *http.Server
	url     string
}

func startPGBaseline(ctx context.Context, bin string, st *catalog.Store, stdout io.Writer) (*pgBaseline, error) {
	bin, err := findPostgres(bin)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(stdout, "starting a private PostgreSQL cluster (%s) and copying the catalogue into it ...\n", bin)
	c, err := startPostgres(ctx, bin, nil)
	if err != nil {
		return nil, err
	}
	if err := loadPostgres(ctx, c, st, stdout); err != nil {
		c.Stop()
		return nil, err
	}
	db, err := sql.Open("pgx", c.dsn())
	if err != nil {
		c.Stop()
		return nil, err
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	gql, err := newPGGraphQL(db)
	if err != nil {
		db.Close()
		c.Stop()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		db.Close()
		c.Stop()
		return nil, err
	}
	p := &pgBaseline{cluster: c, db: db, http: &http.Server{Handler: gql}, url: "http://" + ln.Addr().String() + "/graphql"}
	go p.http.Serve(ln)
	return p, nil
}

// Close stops the GraphQL layer and the cluster and removes it.
func (p *pgBaseline) Close() {
	p.http.Close()
	p.db.Close()
	p.cluster.Stop()
}

func post(ctx context.Context, c *http.Client, url string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %s: %.200s", resp.Status, b)
	}
	return b, err
}

// load runs do with n clients for d and measures every request. With
// rate > 0 the requests are scheduled at that total rate and each latency
// counts from its scheduled time, so a stall shows in the percentiles
// instead of silently lowering the load (no coordinated omission).
func load(ctx context.Context, n int, d time.Duration, rate int, do func(ctx context.Context, client, i int) error, otherCPU func() time.Duration) benchResult {
	if otherCPU == nil {
		otherCPU = func() time.Duration { return 0 }
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	var firstErr error
	cpu0 := processCPU() + otherCPU()
	start := time.Now()
	// Paced, request k is due at start + k*interval. The clients take the
	// next number in turn, so when they are behind a request is late, not
	// lost; no goroutine hands out the times, so none is left waiting for
	// a client that has stopped.
	var interval time.Duration
	var scheduled atomic.Int64
	if rate > 0 {
		interval = time.Second / time.Duration(rate)
	}
	var wg sync.WaitGroup
	for c := 0; c < n; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var lat []time.Duration
			bad := 0
			var badErr error
			for i := c; ctx.Err() == nil; i += n {
				t := time.Now()
				if interval > 0 {
					t = start.Add(time.Duration(scheduled.Add(1)-1) * interval)
					if !backoff.Sleep(ctx, time.Until(t)) {
						break
					}
				}
				err := do(ctx, c, i)
				if ctx.Err() != nil {
					break
				}
				if err != nil {
					bad++
					badErr = err
					continue
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			all = append(all, lat...)
			errs += bad
			if firstErr == nil {
				firstErr = badErr
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() + otherCPU() - cpu0
	r := benchResult{requests: len(all), errors: errs, throughput: float64(len(all)) / elapsed.Seconds()}
	r.p50, r.p99, _ = percentiles(all)
	if len(all) > 0 {
		r.cpu = cpu / time.Duration(len(all))
	}
	if firstErr != nil {
		fmt.Fprintf(os.Stderr, "bench: %d errors, e.g. %v\n", errs, firstErr)
	}
	return r
}

// percentiles sorts d and returns its median, 99th percentile and maximum
// (zero for none).
func percentiles(d []time.Duration) (p50, p99, maxi time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	slices.Sort(d)
	return d[len(d)*50/100], d[min(len(d)-1, len(d)*99/100)], d[len(d)-1]
}

// processCPU returns the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func medianResult(rs []benchResult) benchResult {
	med := func(f func(benchResult) float64) float64 {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	errs := 0
	for _, r := range rs {
		errs += r.errors
	}
	return benchResult{
		throughput: med(func(r benchResult) float64 { return r.throughput }),
		p50:        time.Duration(med(func(r benchResult) float64 { return float64(r.p50) })),
		p99:        time.Duration(med(func(r benchResult) float64 { return float64(r.p99) })),
		cpu:        time.Duration(med(func(r benchResult) float64 { return float64(r.cpu) })),
		errors:     errs,
	}
}
