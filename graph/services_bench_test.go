package graph_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/graph"
)

// BenchmarkServicesList runs a portal's service list (first page, in
// German and English order, with and without totalCount) through the
// handler in-process on the demo catalogue.
func BenchmarkServicesList(b *testing.B) {
	st, _ := sharedDemo(b)
	h := graph.NewHandler(graph.Options{Store: st})
	for _, c := range []struct{ name, query string }{
		{"FirstPage", `{ services(first: 20) { nodes { id name } pageInfo { hasNextPage endCursor } } }`},
		{"FirstPageEN", `{ services(first: 20, lang: EN) { nodes { id name } } }`},
		{"Counted", `{ services(first: 20) { totalCount nodes { id name } } }`},
		{"Business", `{ services(first: 20, filter: {addressee: BUSINESS}) { totalCount nodes { id name } } }`},
	} {
		body, _ := json.Marshal(map[string]string{"query": c.query})
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatal(w.Code, w.Body.String())
				}
			}
		})
	}
}
