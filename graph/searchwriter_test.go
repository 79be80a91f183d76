package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/graph"
	"github.com/leistungsfinder/leistungsfinder/i18n"
	"github.com/leistungsfinder/leistungsfinder/search"
)

// searchEverything selects every field the search writer covers, with
// aliases, __typename, named and inline fragments, the same field twice
// with merged selections, and @skip/@include driven by variables.
const searchEverything = `query Everything($q: String!, $ars: String, $lang: Lang, $first: Int, $after: String, $filter: SearchFilter,
    $scope: SearchScope, $yes: Boolean!, $no: Boolean!) {
  search(query: $q, ars: $ars, lang: $lang, first: $first, after: $after, filter: $filter, scope: $scope) {
    __typename totalCount language didYouMean queryId notice
    found: totalCount
    hits {
      __typename score origin languageFallback
      highlights { field fragments __typename }
      service { ...Listed }
      service { formalName { ...Localized } shortText { ...Localized } fullText { text @include(if: $yes) language @skip(if: $yes) } }
      ... on SearchHit { first: service { id } }
      ... @include(if: $no) { responsibleOffices { id } }
      responsibleOffices { id name kind role inherited address { street postalCode city } openingHours
        inheritedFrom { ars name } channels { kind value } __typename }
    }
    hits @skip(if: $no) { service { name } }
    facets { __typename name values { value label count __typename } }
    pageInfo { __typename hasNextPage hasPreviousPage startCursor endCursor }
    peers { peer status hits error tookMs __typename }
  }
}
fragment Listed on Service {
  __typename id leikaKeys status name origin revision version updatedAt validFrom validTo
  typisation addressees categories keywords
  localization { requested language isFallback }
  fees { kind formatted amountCents description { text } }
  deadlines { kind label duration { value unit formatted } }
  processingTime { duration { value valueTo unit formatted } description { text } }
}
fragment Localized on LocalizedText { text language isFallback machineTranslated stale translator sourceRevision __typename }`

// benchSearch is what bench's search target asks.
const benchSearch = `query($q: String!) { search(query: $q, first: 20) { totalCount hits { service { leikaKeys name } } } }`

// TestSearchWriterAnswersAsGqlgen compares, byte for byte, the handler's
// search answers with those of a handler that leaves every field to
// gqlgen: bench's query over the 30 citizen queries, and a query of every
// covered field with fragments, aliases and directives, with and without a
// place, filters, a second page, in German, in English (argument and
// Accept-Language), with a language that falls back, federated, with stop
// words only, without words, and a typo; and queries the writer leaves to
// gqlgen (fields it does not cover, argument errors, search errors, a
// second root field), which must answer the same too. Both handlers log
// searches, so the query IDs are compared as well.
func TestSearchWriterAnswersAsGqlgen(t *testing.T) {
	t.Parallel()
	st, ix := sharedDemo(t)
	logs := func() *search.QueryLog {
		l, err := search.OpenQueryLog("", search.QueryLogOptions{Now: st.Now})
		require.NoError(t, err)
		return l
	}
	fast := serve(t, graph.Options{Store: st, Search: ix, QueryLog: logs()})
	slow := httptest.NewServer(graph.NewGqlgenOnlyHandler(graph.Options{Store: st, Search: ix, QueryLog: logs()}))
	t.Cleanup(slow.Close)

	type request = writerRequest
	var requests []request
	for i, q := range citizenQueries(t) {
		requests = append(requests, request{benchSearch, map[string]any{"q": q}, nil, false})
		every := map[string]any{"q": q, "yes": i%2 == 0, "no": i%2 == 1}
		switch i % 5 {
		case 1:
			every["ars"] = "066360003003" // Eschwege: responsible offices
		case 2:
			every["lang"], every["first"] = "EN", 3
		case 3:
			every["filter"] = map[string]any{"addressees": []string{"CITIZEN"}, "hasOnlineService": true}
		case 4:
			every["scope"] = "FEDERATED"
		}
		requests = append(requests, request{searchEverything, every, nil, false})
	}
	eschwege := map[string]any{"q": "Gewerbe anmelden", "ars": "066360003003", "first": 2, "yes": true, "no": false}
	requests = append(requests,
		request{searchEverything, eschwege, nil, false},
		request{searchEverything, eschwege, http.Header{"Accept-Language": {"en"}}, false},
		request{searchEverything, eschwege, http.Header{"Accept-Language": {"fr-FR, pl;q=0.5"}}, false},
		request{searchEverything, map[string]any{"q": "register address", "yes": false, "no": true}, nil, false},
		request{searchEverything, map[string]any{"q": "passport", "lang": "EN", "ars": "066110000000", "yes": true, "no": true}, nil, false},
		request{searchEverything, map[string]any{"q": "der und", "yes": true, "no": false}, nil, false},
		request{searchEverything, map[string]any{"q": "😀 !!", "yes": true, "no": false}, nil, false},
		request{searchEverything, map[string]any{"q": "Reisepas beantragn", "yes": true, "no": false}, nil, false},
		request{searchEverything, map[string]any{"q": "xqzwvk", "yes": true, "no": false}, nil, false},
		request{searchEverything, map[string]any{"q": "Anmeldung", "first": 2, "yes": true, "no": false,
			"filter": map[string]any{"categories": []string{"x"}, "lifeSituations": []string{}}}, nil, false},
		// Left to gqlgen: fields the writer does not cover, errors, two root fields.
		request{`{ search(query: "Kindergeld") { hits { service { name modules { code } implementationBundles { name } } } } }`, nil, nil, false},
		request{`{ search(query: "Kindergeld") { hits { service { module(code: "06") { label } } } } }`, nil, nil, false},
		request{`{ search(query: "Kindergeld", first: -1) { totalCount } }`, nil, nil, true},
		request{`{ search(query: "Kindergeld", after: "not a cursor") { totalCount } }`, nil, nil, true},
		request{`{ search(query: "Kindergeld", ars: "123") { totalCount } }`, nil, nil, true},
		request{`{ search(query: "") { totalCount } }`, nil, nil, true},
		request{`{ search(query: "Kindergeld", filter: {addressees: [CITIZEN, BUSINESS]}) { totalCount hits { service { name } } } }`, nil, nil, false},
		request{`{ a: search(query: "Kindergeld", first: 1) { hits { service { name } } } b: search(query: "passport", lang: EN, first: 1) { totalCount hits { score } } }`, nil, nil, false},
	)
	// The second page of a search, by the first page's cursor.
	var first struct {
		Data struct {
			Search struct{ PageInfo struct{ EndCursor string } }
		}
	}
	_, body := postQuery(t, fast, `{ search(query: "Antrag", first: 3) { pageInfo { endCursor } } }`, nil, nil)
	require.NoError(t, json.Unmarshal(body, &first))
	require.NotEmpty(t, first.Data.Search.PageInfo.EndCursor, "%s", body)
	requests = append(requests, request{searchEverything, map[string]any{"q": "Antrag", "first": 3, "after": first.Data.Search.PageInfo.EndCursor,
		"yes": true, "no": false}, nil, false})

	sameAnswers(t, fast, slow, requests)
}

// TestSearchWriterAnswersBenchQuery checks that the writer, not gqlgen,
// answers bench's search: it allocates less than gqlgen's executor.
func TestSearchWriterAnswersBenchQuery(t *testing.T) {
	st, ix := sharedDemo(t)
	body, _ := json.Marshal(map[string]any{"query": benchSearch, "variables": map[string]any{"q": "Personalausweis beantragen"}})
	fast := allocsPerRequest(t, graph.NewHandler(graph.Options{Store: st, Search: ix}), body, `"leikaKeys"`)
	slow := allocsPerRequest(t, graph.NewGqlgenOnlyHandler(graph.Options{Store: st, Search: ix}), body, `"leikaKeys"`)
	assert.Less(t, fast, slow*0.8, "allocations per search: %v with the writer, %v with gqlgen alone", fast, slow)
}

// citizenQueries are bench's 30 search queries.
func citizenQueries(t testing.TB) []string {
	t.Helper()
	raw, err := os.ReadFile("../testdata/search/citizen-queries.txt")
	require.NoError(t, err)
	var out []string
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// TestSearchShowsTheCurrentService: a search shows the store's current
// record of every hit, also right after it changed or was deleted, though
// the handler keeps the services hits showed (while the store's revision
// is the same).
func TestSearchShowsTheCurrentService(t *testing.T) {
	t.Parallel()
	st := demoCopy(t)
	ix := demoIndexCopy(t, st)
	fast := serve(t, graph.Options{Store: st, Search: ix})
	slow := httptest.NewServer(graph.NewGqlgenOnlyHandler(graph.Options{Store: st, Search: ix}))
	t.Cleanup(slow.Close)
	const q = `{ search(query: "Kindergeld", first: 3) { totalCount hits { languageFallback service { id name revision } } } }`
	type answer struct {
		Data struct {
			Search struct {
				Hits []struct {
					LanguageFallback bool
					Service          struct {
						ID, Name string
						Revision uint64
					}
				}
			}
		}
	}
	ask := func() (a answer) {
		t.Helper()
		body, _ := postTo(t, fast, q, nil, nil)
		want, _ := postTo(t, slow, q, nil, nil)
		require.Equal(t, string(want), string(body))
		require.NoError(t, json.Unmarshal(body, &a), "%s", body)
		require.GreaterOrEqual(t, len(a.Data.Search.Hits), 2, "%s", body)
		return a
	}
	before := ask()
	assert.Equal(t, before, ask(), "the same answer while nothing changed")

	first, second := before.Data.Search.Hits[0].Service, before.Data.Search.Hits[1].Service
	require.NoError(t, st.Update(context.Background(), func(tx *catalog.Tx) error {
		s, err := tx.Service(first.ID)
		if err != nil {
			return err
		}
		s.Texts[catalog.ModuleCitizenName] = i18n.German("Kindergeld (umbenannt)")
		s.Texts[catalog.ModuleName] = i18n.German("Kindergeld (umbenannt)")
		return tx.Put(s, catalog.Write{Actor: "test"})
	}))
	after := ask()
	got := after.Data.Search.Hits[0].Service
	assert.Equal(t, "Kindergeld (umbenannt)", got.Name)
	assert.Greater(t, got.Revision, first.Revision)

	require.NoError(t, st.Update(context.Background(), func(tx *catalog.Tx) error {
		return tx.Delete(catalog.KindService, second.ID, catalog.Write{Actor: "test"})
	}))
	for _, h := range ask().Data.Search.Hits {
		assert.NotEqual(t, second.ID, h.Service.ID, "a deleted service is no hit")
	}

	// Searches beside renames: every answer names the service by one of
	// the names it had, and the last name once the renames are done.
	rename := func(name string) error {
		return st.Update(context.Background(), func(tx *catalog.Tx) error {
			s, err := tx.Service(first.ID)
			if err != nil {
				return err
			}
			s.Texts[catalog.ModuleCitizenName] = i18n.German(name)
			return tx.Put(s, catalog.Write{Actor: "test"})
		})
	}
	names := map[string]bool{"Kindergeld (umbenannt)": true}
	for i := range 5 {
		names[fmt.Sprintf("Kindergeld %d", i)] = true
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() {
			req, _ := json.Marshal(map[string]any{"query": q})
			for range 10 {
				resp, err := http.Post(fast.URL, "application/json", bytes.NewReader(req))
				if err != nil {
					errs <- err
					return
				}
				var a answer
				err = json.NewDecoder(resp.Body).Decode(&a)
				resp.Body.Close()
				if err != nil || len(a.Data.Search.Hits) == 0 || !names[a.Data.Search.Hits[0].Service.Name] {
					errs <- fmt.Errorf("unexpected answer (%v): %+v", err, a)
					return
				}
			}
		})
	}
	for i := range 5 {
		require.NoError(t, rename(fmt.Sprintf("Kindergeld %d", i)))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Equal(t, "Kindergeld 4", ask().Data.Search.Hits[0].Service.Name)
}

// TestSearchWriterAnswersFederatedAsGqlgen: a federated search with a
// peer that answers and one that fails is written as gqlgen writes it
// (peers' times left out: they differ from one request to the next).
func TestSearchWriterAnswersFederatedAsGqlgen(t *testing.T) {
	st, ix := sharedDemo(t)
	peer := serve(t, graph.Options{Store: st, Search: ix})
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
	}))
	t.Cleanup(broken.Close)
	// A fan-out each: each keeps its own circuit breakers, which the same
	// requests bring into the same states.
	fan := func() *federation.FanOut {
		return federation.NewFanOut([]federation.Peer{{ID: "BY", URL: peer.URL, RegionKey: "090000000000"},
			{ID: "SL", URL: broken.URL, RegionKey: "100000000000"}}, federation.FanOutOptions{})
	}
	fast := serve(t, graph.Options{Store: st, Search: ix, FanOut: fan()})
	slow := httptest.NewServer(graph.NewGqlgenOnlyHandler(graph.Options{Store: st, Search: ix, FanOut: fan()}))
	t.Cleanup(slow.Close)
	const q = `query($q: String!, $ars: String) { search(query: $q, ars: $ars, scope: FEDERATED, first: 5) {
		totalCount hits { score origin languageFallback service { id leikaKeys name } responsibleOffices { name } }
		peers { peer status hits error __typename } pageInfo { hasNextPage endCursor } } }`
	var requests []writerRequest
	for _, v := range []map[string]any{{"q": "Gewerbe anmelden", "ars": "066360003003"}, {"q": "Kindergeld"}, {"q": "register address", "ars": "066110000000"}} {
		requests = append(requests, writerRequest{query: q, vars: v})
	}
	sameAnswers(t, fast, slow, requests)
	body, _ := postTo(t, fast, q, requests[0].vars, nil)
	assert.Contains(t, string(body), `"peer":"BY","status":"ok"`)
	assert.Regexp(t, `"peer":"SL","status":"(error|circuit-open)"`, string(body))
}
