package graph

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Metrics counts HTTP requests and their latency and writes them in the
// Prometheus text exposition format. It is small on purpose: a handful of
// series do not justify the Prometheus client library.
type Metrics struct {
	mu       sync.Mutex
	requests map[requestKey]*requestStats
	gauges   []gauge
}

type requestKey struct {
	path   string
	status int
}

type requestStats struct {
	count   atomic.Uint64
	buckets [len(latencyBuckets) + 1]atomic.Uint64
	sumNano atomic.Uint64
}

type gauge struct {
	name, help string
	value      func() float64
}

var latencyBuckets = [...]float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// NewMetrics returns an empty registry.
func NewMetrics() *Metrics { return &Metrics{requests: map[requestKey]*requestStats{}} }

// Gauge registers a value read at scrape time.
func (m *Metrics) Gauge(name, help string, value func() float64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gauges = append(m.gauges, gauge{name, help, value})
}

func (m *Metrics) observe(path string, status int, d time.Duration) {
	k := requestKey{path, status}
	m.mu.Lock()
	s := m.requests[k]
	if s == nil {
		s = &requestStats{}
		m.requests[k] = s
	}
	m.mu.Unlock()
	s.count.Add(1)
	s.sumNano.Add(uint64(d))
	sec := d.Seconds()
	i := sort.SearchFloat64s(latencyBuckets[:], sec)
	s.buckets[i].Add(1)
}

// Middleware records every request under its route name (a fixed set, so
// hostile paths cannot grow the series) and logs it.
func (m *Metrics) Middleware(route string, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		m.observe(route, sw.status, d)
		if log != nil && route != "/healthz" && route != "/metrics" {
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
				slog.String("route", route), slog.Int("status", sw.status), slog.Duration("duration", d),
				slog.String("remote", r.RemoteAddr))
		}
	})
}

// ServeHTTP writes the metrics.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.WriteTo(w)
}

// WriteTo writes the exposition text.
func (m *Metrics) WriteTo(w io.Writer) (int64, error) {
	m.mu.Lock()
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	gauges := append([]gauge(nil), m.gauges...)
	m.mu.Unlock()
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].path != keys[j].path {
			return keys[i].path < keys[j].path
		}
		return keys[i].status < keys[j].status
	})
	var n int64
	p := func(format string, args ...any) {
		k, _ := fmt.Fprintf(w, format, args...)
		n += int64(k)
	}
	p("# HELP leistungsfinder_http_requests_total HTTP requests by route and status.\n# TYPE leistungsfinder_http_requests_total counter\n")
	for _, k := range keys {
		p("leistungsfinder_http_requests_total{route=%q,status=\"%d\"} %d\n", k.path, k.status, m.requests[k].count.Load())
	}
	p("# HELP leistungsfinder_http_request_duration_seconds HTTP request latency by route.\n# TYPE leistungsfinder_http_request_duration_seconds histogram\n")
	byRoute := map[string][]*requestStats{}
	var routes []string
	for _, k := range keys {
		if _, ok := byRoute[k.path]; !ok {
			routes = append(routes, k.path)
		}
		byRoute[k.path] = append(byRoute[k.path], m.requests[k])
	}
	for _, route := range routes {
		var cum, count, sum uint64
		for i, le := range latencyBuckets {
			for _, s := range byRoute[route] {
				cum += s.buckets[i].Load()
			}
			p("leistungsfinder_http_request_duration_seconds_bucket{route=%q,le=\"%s\"} %d\n", route, strconv.FormatFloat(le, 'g', -1, 64), cum)
		}
		for _, s := range byRoute[route] {
			cum += s.buckets[len(latencyBuckets)].Load()
			count += s.count.Load()
			sum += s.sumNano.Load()
		}
		p("leistungsfinder_http_request_duration_seconds_bucket{route=%q,le=\"+Inf\"} %d\n", route, cum)
		p("leistungsfinder_http_request_duration_seconds_sum{route=%q} %g\n", route, float64(sum)/1e9)
		p("leistungsfinder_http_request_duration_seconds_count{route=%q} %d\n", route, count)
	}
	for _, g := range gauges {
		p("# HELP %s %s\n# TYPE %s gauge\n%s %g\n", g.name, g.help, g.name, g.name, g.value())
	}
	return n, nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
