package graph

import (
	"context"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the server's Prometheus registry: the standard go_* and
// process_* collectors, HTTP requests by route, GraphQL operations by type
// and outcome, error codes, the response cache, and the portal search.
// Other parts (the store, the federation mirror) register their own
// collectors with Register. Label values come from fixed sets (routes,
// operation types, error codes, root fields of the schema), never from
// client input, so a hostile client cannot grow the series.
type Metrics struct {
	reg *prometheus.Registry

	requests        *prometheus.CounterVec
	requestDuration *prometheus.HistogramVec
	operations      *prometheus.CounterVec
	opDuration      *prometheus.HistogramVec
	errors          *prometheus.CounterVec
	cache           *prometheus.CounterVec
	searches        *prometheus.CounterVec
	searchDuration  *prometheus.HistogramVec
	searchZero      *prometheus.CounterVec
}

var latencyBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// NewMetrics returns a registry with every series of the API registered.
func NewMetrics() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leistungsfinder_http_requests_total", Help: "HTTP requests by route, method and status."},
		[]string{"route", "method", "status"})
	m.requestDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "leistungsfinder_http_request_duration_seconds", Help: "HTTP request latency by route.", Buckets: latencyBuckets},
		[]string{"route"})
	m.operations = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leistungsfinder_graphql_operations_total",
		Help: "GraphQL operations by type (query, mutation) and outcome: ok, error (answered with errors), refused (not run: parse, validation, limits, transport)."},
		[]string{"type", "outcome"})
	m.opDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "leistungsfinder_graphql_operation_duration_seconds", Help: "Time to answer a GraphQL operation that ran, by type and whether the response cache answered it.", Buckets: latencyBuckets},
		[]string{"type", "cached"})
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leistungsfinder_graphql_errors_total", Help: "GraphQL errors by extensions.code."},
		[]string{"code"})
	m.cache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leistungsfinder_response_cache_requests_total", Help: "Anonymous queries looked up in the response cache, by result (hit, miss)."},
		[]string{"result"})
	m.searches = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leistungsfinder_search_requests_total", Help: "Portal search requests by field (search, suggest, searchExplain)."},
		[]string{"field"})
	m.searchDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "leistungsfinder_search_duration_seconds", Help: "Time to answer a search field, by field.", Buckets: latencyBuckets},
		[]string{"field"})
	m.searchZero = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "leistungsfinder_search_zero_results_total", Help: "Searches and suggestions that found nothing, by field."},
		[]string{"field"})
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.requests, m.requestDuration, m.operations, m.opDuration, m.errors, m.cache,
		m.searches, m.searchDuration, m.searchZero,
	)
	for _, r := range []string{"hit", "miss"} {
		m.cache.WithLabelValues(r)
	}
	return m
}

// Register adds collectors of other parts of the server.
func (m *Metrics) Register(cs ...prometheus.Collector) { m.reg.MustRegister(cs...) }

// Gauge registers a value read at scrape time.
func (m *Metrics) Gauge(name, help string, value func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, value))
}

// ServeHTTP writes the metrics in the Prometheus exposition format.
func (m *Metrics) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// Middleware records every request under its route name (a fixed set, so
// hostile paths cannot grow the series) and logs it; the duration is logged
// in milliseconds like every duration of the server.
func (m *Metrics) Middleware(route string, log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		d := time.Since(start)
		method := r.Method
		switch method {
		case http.MethodGet, http.MethodPost, http.MethodOptions, http.MethodHead:
		default:
			method = "other"
		}
		m.requests.WithLabelValues(route, method, strconv.Itoa(sw.status)).Inc()
		m.requestDuration.WithLabelValues(route).Observe(d.Seconds())
		if log != nil && route != "/healthz" && route != "/metrics" {
			log.LogAttrs(r.Context(), slog.LevelInfo, "request", slog.String("method", r.Method),
				slog.String("route", route), slog.Int("status", sw.status), slog.Duration("duration", d),
				slog.String("remote", r.RemoteAddr))
		}
	})
}

// The methods below are called by the handler; a nil *Metrics records
// nothing, so tests and tools need no registry.

func (m *Metrics) operation(typ, outcome string) {
	if m != nil {
		m.operations.WithLabelValues(typ, outcome).Inc()
	}
}

func (m *Metrics) operationDuration(typ string, cached bool, d time.Duration) {
	if m != nil {
		m.opDuration.WithLabelValues(typ, strconv.FormatBool(cached)).Observe(d.Seconds())
	}
}

func (m *Metrics) errorCode(code string) {
	if m != nil {
		m.errors.WithLabelValues(code).Inc()
	}
}

func (m *Metrics) cacheLookup(hit bool) {
	if m == nil {
		return
	}
	if hit {
		m.cache.WithLabelValues("hit").Inc()
	} else {
		m.cache.WithLabelValues("miss").Inc()
	}
}

func (m *Metrics) search(field string, d time.Duration, zero bool) {
	if m == nil {
		return
	}
	m.searches.WithLabelValues(field).Inc()
	m.searchDuration.WithLabelValues(field).Observe(d.Seconds())
	if zero {
		m.searchZero.WithLabelValues(field).Inc()
	}
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

// Unwrap lets http.ResponseController reach the connection.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// searchMetrics times the search fields and counts searches that found
// nothing (searchView reports the total through the context).
func searchMetrics(m *Metrics) graphql.RootFieldMiddleware {
	return func(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
		rfc := graphql.GetRootFieldContext(ctx)
		if m == nil || rfc == nil {
			return next(ctx)
		}
		// (rfc.Object is the field's name in gqlgen 0.17, not its type's:
		// the three names below are query fields only.)
		switch name := rfc.Field.Name; name {
		case "search", "suggest", "searchExplain":
			note := &searchNote{total: -1}
			start := time.Now()
			res := next(context.WithValue(ctx, searchNoteKey{}, note))
			m.search(name, time.Since(start), note.total == 0)
			return res
		}
		return next(ctx)
	}
}

type searchNoteKey struct{}

// searchNote carries a search's total back to searchMetrics.
type searchNote struct{ total int }

func noteSearchTotal(ctx context.Context, total int) {
	if n, ok := ctx.Value(searchNoteKey{}).(*searchNote); ok {
		n.total = total
	}
}
