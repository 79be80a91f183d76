package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

const benchLocalService = `{ localService(leikaKey: "99050012104000", ars: "066360003003") {
	name texts { code label text { text language isFallback } } fees { formatted }
	responsibleOffices { name inherited address { street postalCode city } openingHours contacts { name } }
	onlineServices { title links { url } } } }`

// BenchmarkLocalServiceHandler runs the front end's service page through
// the GraphQL handler in-process (no network): parsing from the query
// cache, execution, negotiation, store read, JSON.
func BenchmarkLocalServiceHandler(b *testing.B) { benchQuery(b, benchLocalService) }

// benchServicePage and benchLookup are what bench's page and localService
// targets ask.
const (
	benchServicePage = graph.ServicePageQuery
	benchLookup      = graph.PlaceLookupQuery
)

var benchEschwege = map[string]any{"leika": "99050012104000", "ars": "066360003003"}

// BenchmarkServicePageHandler runs bench's full service page through the
// handler in-process, with the server's metrics, so that its CPU and
// allocations per request can be profiled without the network.
func BenchmarkServicePageHandler(b *testing.B) {
	benchBody(b, graph.Options{Metrics: graph.NewMetrics()}, benchServicePage, benchEschwege)
}

// BenchmarkLookupHandler is bench's localService lookup for one place.
func BenchmarkLookupHandler(b *testing.B) {
	benchBody(b, graph.Options{Metrics: graph.NewMetrics()}, benchLookup, benchEschwege)
}

// benchQuery runs one query through the handler over the demo store, in
// process, and fails on an error answer.
func benchQuery(b *testing.B, query string) { benchBody(b, graph.Options{}, query, nil) }

// benchBody runs query with vars through a handler with opts over the demo
// store.
func benchBody(b *testing.B, opts graph.Options, query string, vars map[string]any) {
	st, _ := sharedDemo(b)
	opts.Store = st
	h := graph.NewHandler(opts)
	req := map[string]any{"query": query}
	if vars != nil {
		req["variables"] = vars
	}
	body, _ := json.Marshal(req)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) {
			b.Fatal(w.Code, w.Body.String())
		}
	}
	// CPU time rather than wall time: on a shared machine it is the figure
	// that compares (it includes the garbage collector's work).
	b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

// processCPU is the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkLocalServiceCached is the same page answered from the response
// cache: what is left is the transport's checks and the lookup by the
// request's bytes.
func BenchmarkLocalServiceCached(b *testing.B) {
	st, _ := sharedDemo(b)
	h := graph.NewHandler(graph.Options{Store: st, ResponseCache: 100, Metrics: graph.NewMetrics()})
	body, _ := json.Marshal(map[string]string{"query": benchLocalService})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

// BenchmarkSearchHandler runs the 30 citizen queries of the search
// benchmark through the GraphQL handler in-process, asking what a result
// list shows (no highlights, no facets).
func BenchmarkSearchHandler(b *testing.B) {
	st, ix := sharedDemo(b)
	benchSearchHandler(b, graph.NewHandler(graph.Options{Store: st, Search: ix}))
}

// BenchmarkSearchHandlerGqlgenOnly is BenchmarkSearchHandler with every
// field marshalled by gqlgen's executor, without the search writer.
func BenchmarkSearchHandlerGqlgenOnly(b *testing.B) {
	st, ix := sharedDemo(b)
	benchSearchHandler(b, graph.NewGqlgenOnlyHandler(graph.Options{Store: st, Search: ix}))
}

func benchSearchHandler(b *testing.B, h http.Handler) {
	var bodies [][]byte
	for _, q := range citizenQueries(b) {
		body, _ := json.Marshal(map[string]any{"query": benchSearch, "variables": map[string]string{"q": q}})
		bodies = append(bodies, body)
	}
	b.ReportAllocs()
	i := 0
	cpu0 := catalogtest.CPUTime()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(bodies[i%len(bodies)]))
		i++
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) {
			b.Fatal(w.Code, w.Body.String())
		}
	}
	b.ReportMetric(float64((catalogtest.CPUTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
}

// benchNestedLists asks for list fields of list elements, each level read
// by batch resolvers: the regions of a district with their parents and
// children, offices with their regions, and the services of every
// implementation bundle with their bundles.
const benchNestedLists = `{
	region(ars: "066360000000") { name children { ars name parent { name } successor { name } children { name } } }
	offices(ars: "066360000000", first: 20) { nodes { name region { name parent { name } } } }
	implementationBundles { name services { name implementationBundles { number } } } }`

// BenchmarkNestedListsHandler runs benchNestedLists through the handler
// in-process, like BenchmarkLocalServiceHandler.
func BenchmarkNestedListsHandler(b *testing.B) { benchQuery(b, benchNestedLists) }
