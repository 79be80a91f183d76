package graph_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

type searchResp struct {
	Search struct {
		TotalCount int
		Language   string
		DidYouMean *string
		Hits       []struct {
			Highlights []struct {
				Field     string
				Fragments []string
			}
			Service struct {
				Name      string
				LeikaKeys []string
			}
			ResponsibleOffices []struct {
				Name    string
				Address struct{ Street string }
			}
		}
		Facets []struct {
			Name   string
			Values []struct {
				Value, Label string
				Count        int
			}
		}
	}
}

const searchQuery = `query($q: String!, $ars: String, $lang: Lang) { search(query: $q, ars: $ars, lang: $lang, first: 5) {
	totalCount language didYouMean
	hits { highlights { field fragments } service { name leikaKeys } responsibleOffices { name address { street } } }
	facets { name values { value label count } } } }`

// TestSearchAsACitizenWould types what people type, for Eschwege.
func TestSearchAsACitizenWould(t *testing.T) {
	srv := demoServer(t)
	cases := []struct {
		query, lang, wantLeika string
	}{
		{"perso verloren", "", "99008001014002"},
		{"Gewerbe anmelden", "", "99050012104000"},
		{"hundesteuer", "", "99102013104000"},
		{"register address", "EN", "99115005104000"},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			vars := map[string]any{"q": c.query, "ars": "066360003003"}
			if c.lang != "" {
				vars["lang"] = c.lang
			}
			var r searchResp
			require.Empty(t, call(t, srv, "", searchQuery, vars, &r))
			require.NotEmpty(t, r.Search.Hits, "no hits for %q", c.query)
			var keys []string
			for _, h := range r.Search.Hits[:min(3, len(r.Search.Hits))] {
				keys = append(keys, h.Service.LeikaKeys...)
			}
			assert.Contains(t, keys, c.wantLeika, "top 3 for %q", c.query)
			top := r.Search.Hits[0]
			if top.Service.LeikaKeys[0] == "99050012104000" {
				require.NotEmpty(t, top.ResponsibleOffices, "a hit carries the office for the place")
				assert.Equal(t, "Obermarkt 22", top.ResponsibleOffices[0].Address.Street)
			}
			assert.NotEmpty(t, r.Search.Facets)
		})
	}
	t.Run("OnlyWhatIsAsked", func(t *testing.T) {
		// Highlights, facets and offices are computed only when selected,
		// also through fragments; leaving them out changes no hit.
		vars := map[string]any{"q": "Gewerbe anmelden", "ars": "066360003003"}
		var full, lean, frag searchResp
		require.Empty(t, call(t, srv, "", searchQuery, vars, &full))
		require.Empty(t, call(t, srv, "", `query($q: String!, $ars: String) { search(query: $q, ars: $ars, first: 5) { totalCount hits { service { name leikaKeys } } } }`, vars, &lean))
		require.Empty(t, call(t, srv, "", `query($q: String!, $ars: String) { search(query: $q, ars: $ars, first: 5) { ...F } }
			fragment F on SearchResult { totalCount facets { name values { value label count } } hits { ... on SearchHit { highlights { field fragments } service { name leikaKeys } responsibleOffices { name address { street } } } } }`, vars, &frag))
		require.NotEmpty(t, full.Search.Hits)
		assert.Equal(t, full.Search.TotalCount, lean.Search.TotalCount)
		require.Len(t, lean.Search.Hits, len(full.Search.Hits))
		for i := range full.Search.Hits {
			assert.Equal(t, full.Search.Hits[i].Service, lean.Search.Hits[i].Service)
		}
		assert.Empty(t, lean.Search.Facets)
		assert.Equal(t, full.Search.Facets, frag.Search.Facets)
		assert.NotEmpty(t, frag.Search.Hits[0].Highlights, "highlights asked for through a fragment")
		assert.Equal(t, full.Search.Hits[0].Highlights, frag.Search.Hits[0].Highlights)
		assert.Equal(t, full.Search.Hits[0].ResponsibleOffices, frag.Search.Hits[0].ResponsibleOffices)
		assert.NotEmpty(t, frag.Search.Hits[0].ResponsibleOffices)
	})
	t.Run("BadInput", func(t *testing.T) {
		errs := call(t, srv, "", searchQuery, map[string]any{"q": strings.Repeat("a", 501)}, nil)
		require.NotEmpty(t, errs)
		assert.Equal(t, "INVALID", errs[0].Extensions["code"])
		errs = call(t, srv, "", searchQuery, map[string]any{"q": "  "}, nil)
		require.NotEmpty(t, errs)
		assert.Equal(t, "INVALID", errs[0].Extensions["code"])
		for _, q := range []string{`*:* OR "`, "ausweis~ (((", "+perso -ausweis", "name_de:foo", "\x00\x01binär"} {
			errs := call(t, srv, "", searchQuery, map[string]any{"q": q}, nil)
			for _, e := range errs {
				assert.Equal(t, "INVALID", e.Extensions["code"], "operators are text or INVALID, never an internal error: %q", q)
			}
		}
	})
	t.Run("Suggest", func(t *testing.T) {
		var r struct {
			Suggest []struct {
				Text    string
				Service struct{ Name string }
			}
		}
		require.Empty(t, call(t, srv, "", `{ suggest(prefix: "Perso", ars: "066360003003") { text service { name } } }`, nil, &r))
		require.NotEmpty(t, r.Suggest)
	})
}

// TestFederatedSearch asks one real peer (another instance of this API) and
// one that hangs: the answer comes within the overall deadline, merged and
// de-duplicated by LeiKa key, with each peer's status.
func TestFederatedSearch(t *testing.T) {
	st, ix := sharedDemo(t)
	peer := serve(t, graph.Options{Store: st, Search: ix})
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	defer close(hang)
	fan := federation.NewFanOut([]federation.Peer{{ID: "BY", URL: peer.URL, RegionKey: "090000000000"}, {ID: "SL", URL: slow.URL, RegionKey: "100000000000"}},
		federation.FanOutOptions{PeerTimeout: 300 * time.Millisecond, Timeout: 800 * time.Millisecond})
	fed := serve(t, graph.Options{Store: st, Search: ix, FanOut: fan})

	var r struct {
		Search struct {
			TotalCount int
			Hits       []struct {
				Origin  string
				Service struct{ LeikaKeys []string }
			}
			Peers []struct {
				Peer, Status string
				Hits         int
			}
		}
	}
	require.Empty(t, call(t, fed, "", `{ search(query: "Gewerbe anmelden", ars: "066360003003", scope: FEDERATED) {
		totalCount hits { origin service { leikaKeys } } peers { peer status hits } } }`, nil, &r))
	require.NotEmpty(t, r.Search.Hits)
	seen := map[string]bool{}
	for _, h := range r.Search.Hits {
		assert.False(t, seen[h.Service.LeikaKeys[0]], "one hit per LeiKa key")
		seen[h.Service.LeikaKeys[0]] = true
	}
	assert.Equal(t, "99050012104000", r.Search.Hits[0].Service.LeikaKeys[0])
	status := map[string]string{}
	for _, p := range r.Search.Peers {
		status[p.Peer] = p.Status
	}
	assert.Equal(t, federation.PeerOK, status["BY"])
	assert.Equal(t, federation.PeerTimeout, status["SL"])
}
