package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/graph"
)

const benchLocalService = `{ localService(leikaKey: "99050012104000", ars: "066360003003") {
	name texts { code label text { text language isFallback } } fees { formatted }
	responsibleOffices { name inherited address { street postalCode city } openingHours contacts { name } }
	onlineServices { title links { url } } } }`

// BenchmarkLocalServiceHandler runs the front end's service page through
// the GraphQL handler in-process (no network): parsing from the query
// cache, execution, negotiation, store read, JSON.
func BenchmarkLocalServiceHandler(b *testing.B) {
	t := &testing.T{}
	srv := demoServer(t)
	h := graph.NewHandler(graph.Options{Store: demoStore})
	srv.Close()
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

// BenchmarkLocalServiceCached is the same page answered from the response
// cache: what is left is the transport, the checks a fresh answer would
// pass (parse from the query cache, variables, limits) and the lookup.
func BenchmarkLocalServiceCached(b *testing.B) {
	t := &testing.T{}
	srv := demoServer(t)
	h := graph.NewHandler(graph.Options{Store: demoStore, ResponseCache: 100, Metrics: graph.NewMetrics()})
	srv.Close()
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
