package graph_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/graph"
)

// pageEverything selects every field the service page's writer covers, with
// aliases, __typename, named and inline fragments, the same field twice
// with merged selections, and @skip/@include driven by variables.
const pageEverything = `query Everything($leika: String!, $ars: String!, $lang: Lang, $module: String!, $yes: Boolean!, $no: Boolean!) {
  localService(leikaKey: $leika, ars: $ars, lang: $lang) {
    __typename
    name
    place: region { ...Place }
    region { name level }
    localization { requested language isFallback __typename }
    texts { code label text { ...Localized } central { ...Localized } isSpecialised
      additions { __typename id mode text { text language } from { ...Place } } }
    texts { label @include(if: $yes) code @skip(if: $yes) }
    chosen: text(module: $module) { code text { text } }
    missing: text(module: "99") { code }
    literal: text(module: "06") { label isSpecialised }
    fees { kind label amountCents minCents maxCents formatted description { ...Localized } prepayment url __typename }
    deadlines { kind label duration { ...Span } from to description { text } }
    processingTime { duration { ...Span } description { ...Localized } }
    responsibleOffices {
      ... on ResponsibleOffice { id name kind role inherited }
      ... @include(if: $no) { openingHoursNotes { text } }
      address { kind label street poBox postalCode city ars }
      addresses { kind label street poBox postalCode city ars __typename }
      openingHours
      openingHoursSlots { day dayLabel open close }
      openingHoursNotes { ...Localized }
      channels { ...Channel }
      contacts { name position { ...Localized } room channels { ...Channel } }
      accessibility { text isFallback }
      inheritedFrom { ...Place }
    }
    onlineServices { id title links { url title } trustLevel inheritedFrom { ars name } inherited __typename }
  }
}
fragment Place on Region { __typename ars name level type seat postalCodes population }
fragment Localized on LocalizedText { text language isFallback machineTranslated stale translator sourceRevision __typename }
fragment Span on Duration { value valueTo unit formatted }
fragment Channel on Channel { kind label value note { text } }`

// TestPageWriterAnswersAsGqlgen compares, byte for byte, the handler's
// answers with those of a handler that leaves every field to gqlgen: bench's
// service page and lookup, a query of every covered field with fragments,
// aliases and directives, in German, in English and with a language that
// falls back, over a sample of the catalogue's services and places and a
// local addition; and queries the writer leaves to gqlgen (fields it does
// not cover, errors, not found), which must answer the same too.
func TestPageWriterAnswersAsGqlgen(t *testing.T) {
	t.Parallel() // a store of its own: runs beside the other tests
	st := demoCopy(t)
	addAddition(t, st)
	fast := serve(t, graph.Options{Store: st})
	slow := httptest.NewServer(graph.NewGqlgenOnlyHandler(graph.Options{Store: st}))
	t.Cleanup(slow.Close)

	places := append([][2]string{{"99050012104000", "066360003003"}, {"99050012104000", "066360000000"}, {"99050012104000", "066110000000"},
		{"99050012104000", "066000000000"}}, samplePairs(t, st, 60)...)
	type request = writerRequest
	var requests []request
	for i, p := range places {
		vars := map[string]any{"leika": p[0], "ars": p[1]}
		requests = append(requests, request{benchServicePage, vars, nil, false}, request{benchLookup, vars, nil, false})
		every := map[string]any{"leika": p[0], "ars": p[1], "module": []string{"06", "05", "12"}[i%3], "yes": i%2 == 0, "no": i%2 == 1}
		requests = append(requests, request{pageEverything, every, nil, false})
		if i%4 == 0 {
			en := map[string]any{"leika": p[0], "ars": p[1], "lang": "EN", "module": "06", "yes": true, "no": false}
			requests = append(requests, request{pageEverything, en, nil, false},
				request{benchServicePage, vars, http.Header{"Accept-Language": {"en"}}, false},
				request{benchServicePage, vars, http.Header{"Accept-Language": {"fr-FR, pl;q=0.5"}}, false})
		}
	}
	eschwege := map[string]any{"leika": "99050012104000", "ars": "066360003003"}
	requests = append(requests,
		// Left to gqlgen: fields behind the views, a region's resolvers, an `at`, errors, not found.
		request{`query($leika: String!, $ars: String!) { localService(leikaKey: $leika, ars: $ars) { name service { id name } } }`, eschwege, nil, false},
		request{`query($leika: String!, $ars: String!) { localService(leikaKey: $leika, ars: $ars) { region { name parent { name } levelLabel } } }`, eschwege, nil, false},
		request{`query($leika: String!, $ars: String!) { localService(leikaKey: $leika, ars: $ars) { responsibleOffices { office { id revision } } onlineServices { onlineService { id } } } }`, eschwege, nil, false},
		request{`query($leika: String!, $ars: String!) { localService(leikaKey: $leika, ars: $ars, at: "2030-01-01T00:00:00Z") { name } }`, eschwege, nil, false},
		request{`{ localService(leikaKey: "99050012104000", ars: "not a key") { name } }`, nil, nil, true},
		request{`{ localService(leikaKey: "99999999999999", ars: "066360003003") { name } }`, nil, nil, false},
		request{`{ a: localService(leikaKey: "99050012104000", ars: "066360003003") { name } b: localService(leikaKey: "99050012104000", ars: "066360000000", lang: EN) { name texts { text { text isFallback } } } }`, nil, nil, false},
	)

	sameAnswers(t, fast, slow, requests)
}

// writerRequest is a request to a handler with a writer and to one without.
type writerRequest struct {
	query  string
	vars   map[string]any
	header http.Header
	errors bool // the answer has errors
}

// sameAnswers posts every request to fast and slow and requires the same
// status, content type and bytes from both.
func sameAnswers(t *testing.T, fast, slow *httptest.Server, requests []writerRequest) {
	t.Helper()
	for _, r := range requests {
		got, gotType := postTo(t, fast, r.query, r.vars, r.header)
		want, wantType := postTo(t, slow, r.query, r.vars, r.header)
		require.Equal(t, wantType, gotType)
		require.Equal(t, string(want), string(got), "query %.80s with %v", r.query, r.vars)
		require.Equal(t, r.errors, bytes.Contains(got, []byte(`"errors"`)), "%s", got)
	}
}

// TestPageWriterAnswersThePage checks that the writer, not gqlgen, answers
// bench's page: it allocates a fraction of what gqlgen's executor does.
func TestPageWriterAnswersThePage(t *testing.T) {
	st, _ := sharedDemo(t)
	body, _ := json.Marshal(map[string]any{"query": benchServicePage, "variables": benchEschwege})
	fast := allocsPerRequest(t, graph.NewHandler(graph.Options{Store: st}), body, `"responsibleOffices"`)
	slow := allocsPerRequest(t, graph.NewGqlgenOnlyHandler(graph.Options{Store: st}), body, `"responsibleOffices"`)
	assert.Less(t, fast, slow/2, "allocations per page: %v with the writer, %v with gqlgen alone", fast, slow)
}

// allocsPerRequest is the allocations of h answering body, an answer
// without errors that contains want.
func allocsPerRequest(t *testing.T, h http.Handler, body []byte, want string) float64 {
	t.Helper()
	return testing.AllocsPerRun(20, func() {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		require.Equal(t, http.StatusOK, w.Code)
		require.Contains(t, w.Body.String(), want)
		require.NotContains(t, w.Body.String(), `"errors"`)
	})
}

// postTo posts a query and returns the body and its content type.
func postTo(t *testing.T, srv *httptest.Server, query string, vars map[string]any, header http.Header) ([]byte, string) {
	t.Helper()
	resp, body := postQuery(t, srv, query, vars, header)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", body)
	return body, resp.Header.Get("Content-Type")
}

// addAddition publishes a local addition of Eschwege to Gewerbe anmelden's
// full text, through the review a real one goes through.
func addAddition(t *testing.T, st *catalog.Store) {
	t.Helper()
	ctx := context.Background()
	srv := serve(t, graph.Options{Store: st})
	municipal, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Stadt Eschwege", Role: catalog.AccessMunicipalEditor, Scopes: []string{"066360003003"}})
	require.NoError(t, err)
	state, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	var prop struct{ ProposeSpecialisation struct{ ID string } }
	require.Empty(t, call(t, srv, municipal, `mutation { proposeSpecialisation(input: {leikaKey: "99050012104000", ars: "066360003003", module: "06", mode: APPEND,
		text: {de: "<p>Auch donnerstags bis 18 Uhr & \"online\".</p>"}}) { id } }`, nil, &prop))
	id := map[string]any{"id": prop.ProposeSpecialisation.ID}
	require.Empty(t, call(t, srv, municipal, `mutation($id: ID!) { submitChangeRequest(id: $id) { state } }`, id, nil))
	require.Empty(t, call(t, srv, state, `mutation($id: ID!) { reviewChangeRequest(id: $id, decision: APPROVE) { state } }`, id, nil))
}

// samplePairs returns up to n (LeiKa key, place) pairs spread over the
// catalogue (catalog.Tx.SamplePlaces).
func samplePairs(t *testing.T, st *catalog.Store, n int) (out [][2]string) {
	t.Helper()
	require.NoError(t, st.View(context.Background(), func(tx *catalog.Tx) (err error) {
		out, err = tx.SamplePlaces(n)
		return err
	}))
	require.NotEmpty(t, out)
	return out
}
