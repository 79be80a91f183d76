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

// benchNestedLists asks for list fields of list elements, each level read
// through the request's loaders: the regions of a district with their
// parents and children, offices with their regions, and the services of
// every implementation bundle.
const benchNestedLists = `{
	region(ars: "066360000000") { name children { ars name parent { name } successor { name } children { name } } }
	offices(ars: "066360000000", first: 20) { nodes { name region { name parent { name } } } }
	implementationBundles { name services { name implementationBundles { number } } } }`

// BenchmarkNestedListsHandler runs benchNestedLists through the handler
// in-process, like BenchmarkLocalServiceHandler.
func BenchmarkNestedListsHandler(b *testing.B) {
	t := &testing.T{}
	srv := demoServer(t)
	h := graph.NewHandler(graph.Options{Store: demoStore})
	srv.Close()
	body, _ := json.Marshal(map[string]string{"query": benchNestedLists})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"errors"`)) {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
