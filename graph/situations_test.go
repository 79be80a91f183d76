package graph_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/graph"
	"github.com/leistungsfinder/leistungsfinder/search"
)

// searchServer is a server over a fresh demo store of the test's own, with
// its search index, the response cache and an in-memory search log that
// shows a query from two searches on one day.
func searchServer(t *testing.T) (*httptest.Server, *catalog.Store, *search.Index) {
	t.Helper()
	st := demoCopy(t)
	ix := demoIndexCopy(t, st)
	ql, err := search.OpenQueryLog("", search.QueryLogOptions{Now: st.Now, MinRequests: 2, MinDays: 1})
	require.NoError(t, err)
	return serve(t, graph.Options{Store: st, Search: ix, QueryLog: ql, ResponseCache: 100}), st, ix
}

type situation struct {
	ID, Name, Addressee string
	Parent              *struct{ Name string }
}

func codeOf(errs []gqlError) string {
	if len(errs) == 0 {
		return ""
	}
	c, _ := errs[0].Extensions["code"].(string)
	return c
}

// TestLifeSituationsAsAPortalWould navigates by life situation and searches
// the way people describe their situation.
func TestLifeSituationsAsAPortalWould(t *testing.T) {
	t.Parallel() // a store of its own: runs beside the other tests
	srv, _, _ := searchServer(t)

	var all struct{ LifeSituations []situation }
	require.Empty(t, call(t, srv, "", `{ lifeSituations(lang: EN) { id name addressee parent { name } } }`, nil, &all))
	require.GreaterOrEqual(t, len(all.LifeSituations), 30)
	var baby situation
	for _, l := range all.LifeSituations {
		if l.Name == "Having a baby" {
			baby = l
		}
	}
	require.NotEmpty(t, baby.ID)
	require.NotNil(t, baby.Parent)
	assert.Equal(t, "Family and partnership", baby.Parent.Name)

	var business struct{ LifeSituations []situation }
	require.Empty(t, call(t, srv, "", `{ lifeSituations(addressee: BUSINESS) { id name addressee } }`, nil, &business))
	require.NotEmpty(t, business.LifeSituations, "Unternehmenslagen")
	for _, l := range business.LifeSituations {
		assert.Equal(t, "BUSINESS", l.Addressee)
	}

	var one struct {
		LifeSituation struct {
			Name     string
			Services struct {
				TotalCount int
				Nodes      []struct{ LeikaKeys []string }
			}
		}
	}
	require.Empty(t, call(t, srv, "", `query($id: ID!) { lifeSituation(id: $id) { name services(first: 100) { totalCount nodes { leikaKeys } } } }`,
		map[string]any{"id": baby.ID}, &one))
	assert.Equal(t, "Geburt eines Kindes", one.LifeSituation.Name)
	var keys []string
	for _, n := range one.LifeSituation.Services.Nodes {
		keys = append(keys, n.LeikaKeys...)
	}
	assert.Contains(t, keys, "99041008017000", "Kindergeld")
	assert.Contains(t, keys, "99027002012000", "Geburtsurkunde")

	// The search understands the situation, offers it as a facet and filters by it.
	const q = `query($q: String!, $lang: Lang, $f: SearchFilter) { search(query: $q, lang: $lang, filter: $f, first: 10) {
		totalCount queryId notice
		hits { languageFallback service { leikaKeys } }
		facets { name values { value label count } } } }`
	type result struct {
		Search struct {
			TotalCount int
			QueryID    *string
			Notice     *string
			Hits       []struct {
				LanguageFallback bool
				Service          struct{ LeikaKeys []string }
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
	var res result
	require.Empty(t, call(t, srv, "", q, map[string]any{"q": "wir bekommen ein baby"}, &res))
	var top []string
	for _, h := range res.Search.Hits[:3] {
		top = append(top, h.Service.LeikaKeys[0])
	}
	assert.Contains(t, top, "99041006017000", "Elterngeld among the first three")
	labels := map[string]string{}
	for _, f := range res.Search.Facets {
		if f.Name == "lifeSituation" {
			for _, v := range f.Values {
				labels[v.Value] = v.Label
			}
		}
	}
	assert.Equal(t, "Geburt eines Kindes", labels[baby.ID])

	res = result{}
	require.Empty(t, call(t, srv, "", q, map[string]any{"q": "beantragen", "f": map[string]any{"lifeSituations": []string{baby.ID}}}, &res))
	require.NotZero(t, res.Search.TotalCount)
	for _, h := range res.Search.Hits {
		assert.Contains(t, keys, h.Service.LeikaKeys[0], "only services of the situation")
	}

	// English: the tax ID has an English name now; a German-only federal
	// service found by an English query is marked as a fallback.
	res = result{}
	require.Empty(t, call(t, srv, "", q, map[string]any{"q": "tax id", "lang": "EN"}, &res))
	require.NotEmpty(t, res.Search.Hits)
	assert.Equal(t, "99102044101000", res.Search.Hits[0].Service.LeikaKeys[0])
	assert.False(t, res.Search.Hits[0].LanguageFallback)
	res = result{}
	require.Empty(t, call(t, srv, "", q, map[string]any{"q": "Zollauktion", "lang": "EN"}, &res))
	require.NotEmpty(t, res.Search.Hits, "an English query reaches the German service")
	assert.True(t, res.Search.Hits[0].LanguageFallback)
}

// TestSearchLogAsAnEditorWould: portals report opened hits, editors read
// what people did not find, anonymous readers cannot.
func TestSearchLogAsAnEditorWould(t *testing.T) {
	t.Parallel() // a store of its own: runs beside the other tests
	srv, st, _ := searchServer(t)
	ctx := context.Background()
	stateToken, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	require.NoError(t, err)

	const q = `query($q: String!) { search(query: $q) { totalCount queryId notice hits { service { id } } } }`
	type result struct {
		Search struct {
			TotalCount int
			QueryID    *string
			Notice     *string
			Hits       []struct{ Service struct{ ID string } }
		}
	}
	var res result
	// Twice the same query: the second answer comes from the response
	// cache and still counts.
	for i := 0; i < 2; i++ {
		require.Empty(t, call(t, srv, "", q, map[string]any{"q": "Knöllchenfabrik xyzzy"}, &res))
		assert.Zero(t, res.Search.TotalCount)
	}
	for i := 0; i < 2; i++ {
		require.Empty(t, call(t, srv, "", q, map[string]any{"q": "hundesteuer"}, &res))
	}
	require.NotNil(t, res.Search.QueryID)
	require.NotEmpty(t, res.Search.Hits)

	var fb struct{ SearchFeedback bool }
	const feedback = `mutation($q: String!, $s: ID!) { searchFeedback(queryId: $q, serviceId: $s) }`
	require.Empty(t, call(t, srv, "", feedback, map[string]any{"q": *res.Search.QueryID, "s": res.Search.Hits[0].Service.ID}, &fb))
	assert.True(t, fb.SearchFeedback)
	assert.Equal(t, "INVALID", codeOf(call(t, srv, "", feedback, map[string]any{"q": "not-a-query", "s": res.Search.Hits[0].Service.ID}, nil)))
	assert.Equal(t, "INVALID", codeOf(call(t, srv, "", feedback, map[string]any{"q": *res.Search.QueryID, "s": "HE.LB.9999999999"}, nil)))

	const insights = `query($since: DateTime!) { searchInsights(since: $since) {
		searches zeroResults zeroResultRate minRequests noResults { query requests zeroResults } noClicks { query } } }`
	since := st.Now().Add(-time.Hour).UTC().Format(time.RFC3339)
	assert.Equal(t, "UNAUTHENTICATED", codeOf(call(t, srv, "", insights, map[string]any{"since": since}, nil)), "editors only")
	var in struct {
		SearchInsights struct {
			Searches, ZeroResults int
			ZeroResultRate        float64
			NoResults             []struct {
				Query                 string
				Requests, ZeroResults int
			}
			NoClicks []struct{ Query string }
		}
	}
	require.Empty(t, call(t, srv, stateToken, insights, map[string]any{"since": since}, &in))
	assert.Equal(t, 4, in.SearchInsights.Searches)
	assert.Equal(t, 2, in.SearchInsights.ZeroResults)
	assert.InDelta(t, 0.5, in.SearchInsights.ZeroResultRate, 1e-9)
	require.Len(t, in.SearchInsights.NoResults, 1)
	assert.Equal(t, "knöllchenfabrik xyzzy", in.SearchInsights.NoResults[0].Query)
	assert.Equal(t, 2, in.SearchInsights.NoResults[0].Requests)
	assert.Empty(t, in.SearchInsights.NoClicks, "hundesteuer was opened")
}

// TestSearchBadInput: never an error 500, always a clear answer.
func TestSearchBadInput(t *testing.T) {
	t.Parallel() // a store of its own: runs beside the other tests
	srv, _, _ := searchServer(t)
	const q = `query($q: String!) { search(query: $q) { totalCount notice queryId } }`
	type result struct {
		Search struct {
			TotalCount int
			Notice     *string
			QueryID    *string
		}
	}
	resp, body := postQuery(t, srv, q, map[string]any{"q": strings.Repeat("perso ", 200)}, nil)
	assert.Less(t, resp.StatusCode, 500)
	r := decode(t, body)
	assert.Equal(t, "INVALID", codeOf(r.Errors), "over-long: %s", body)

	for query, notice := range map[string]string{"der die das und": "ONLY_STOP_WORDS", "the of and": "ONLY_STOP_WORDS", "🙂🎉👍": "NO_WORDS", "?!…": "NO_WORDS"} {
		var res result
		resp, body := postQuery(t, srv, q, map[string]any{"q": query}, nil)
		assert.Less(t, resp.StatusCode, 500, query)
		r := decode(t, body)
		require.Empty(t, r.Errors, "%q: %s", query, body)
		require.NoError(t, json.Unmarshal(r.Data, &res))
		assert.Zero(t, res.Search.TotalCount, query)
		if assert.NotNil(t, res.Search.Notice, query) {
			assert.Equal(t, notice, *res.Search.Notice, query)
		}
	}
}

// TestDictionaryAndTermsAsTheEditorialOfficeWould: the state editorial
// office extends the dictionary and writes terms; a municipality proposes
// local terms; the search and the service page follow.
func TestDictionaryAndTermsAsTheEditorialOfficeWould(t *testing.T) {
	t.Parallel() // a store of its own: runs beside the other tests
	srv, st, ix := searchServer(t)
	ctx := context.Background()
	stateToken, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	require.NoError(t, err)
	eschwegeToken, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Stadt Eschwege", Role: catalog.AccessMunicipalEditor, Scopes: []string{"066360003003"}})
	require.NoError(t, err)

	var all struct{ LifeSituations []situation }
	require.Empty(t, call(t, srv, "", `{ lifeSituations { id name } }`, nil, &all))
	var moving string
	for _, l := range all.LifeSituations {
		if l.Name == "Umzug" {
			moving = l.ID
		}
	}
	require.NotEmpty(t, moving)

	const put = `mutation($in: SearchConceptInput!) { putSearchConcept(input: $in) { id phrases lifeSituations { name } } }`
	in := map[string]any{"lang": "DE", "phrases": []string{"kisten schleppen"}, "meansDe": []string{"Wohnsitz Anmeldung"}, "lifeSituations": []string{moving}}
	assert.Equal(t, "FORBIDDEN", codeOf(call(t, srv, eschwegeToken, put, map[string]any{"in": in}, nil)), "municipal editors do not edit the dictionary")
	var created struct {
		PutSearchConcept struct {
			ID             string
			LifeSituations []struct{ Name string }
		}
	}
	require.Empty(t, call(t, srv, stateToken, put, map[string]any{"in": in}, &created))
	assert.Equal(t, "Umzug", created.PutSearchConcept.LifeSituations[0].Name)
	bad := map[string]any{"lang": "DE", "phrases": []string{"x"}, "lifeSituations": []string{"HE.LL.9999999999"}}
	assert.Equal(t, "INVALID", codeOf(call(t, srv, stateToken, put, map[string]any{"in": bad}, nil)))
	require.NoError(t, ix.CatchUp(ctx))

	const q = `query($q: String!, $ars: String) { search(query: $q, ars: $ars, first: 3) { hits { service { leikaKeys } } } }`
	var res struct {
		Search struct {
			Hits []struct{ Service struct{ LeikaKeys []string } }
		}
	}
	require.Empty(t, call(t, srv, "", q, map[string]any{"q": "kisten schleppen"}, &res))
	require.NotEmpty(t, res.Search.Hits)
	assert.Equal(t, "99115005104000", res.Search.Hits[0].Service.LeikaKeys[0], "the new phrase finds the service")

	// Central terms by the state editorial office.
	var svc struct {
		Service struct {
			ID       string
			Revision int
			Terms    []struct{ Text, Lang, Type string }
		}
	}
	require.Empty(t, call(t, srv, "", `{ service(leikaKey: "99089017152000") { id revision terms { text lang type } } }`, nil, &svc))
	const setTerms = `mutation($id: ID!, $rev: Int!, $terms: [TermInput!]!) { setServiceTerms(serviceId: $id, terms: $terms, expectedRevision: $rev) { terms { text lang type } } }`
	terms := []map[string]any{{"text": "Schlüsselfundstelle", "lang": "DE"}, {"text": "found keys", "lang": "EN", "type": "002"}}
	assert.Equal(t, "FORBIDDEN", codeOf(call(t, srv, eschwegeToken, setTerms, map[string]any{"id": svc.Service.ID, "rev": svc.Service.Revision, "terms": terms}, nil)))
	var set struct {
		SetServiceTerms struct {
			Terms []struct{ Text, Lang, Type string }
		}
	}
	require.Empty(t, call(t, srv, stateToken, setTerms, map[string]any{"id": svc.Service.ID, "rev": svc.Service.Revision, "terms": terms}, &set))
	assert.Equal(t, []struct{ Text, Lang, Type string }{{"Schlüsselfundstelle", "DE", "001"}, {"found keys", "EN", "002"}}, set.SetServiceTerms.Terms)
	assert.Equal(t, "CONFLICT", codeOf(call(t, srv, stateToken, setTerms, map[string]any{"id": svc.Service.ID, "rev": svc.Service.Revision, "terms": terms}, nil)), "stale revision")
	require.NoError(t, ix.CatchUp(ctx))
	require.Empty(t, call(t, srv, "", q, map[string]any{"q": "schlüsselfundstelle"}, &res))
	require.NotEmpty(t, res.Search.Hits)
	assert.Equal(t, "99089017152000", res.Search.Hits[0].Service.LeikaKeys[0])

	// Local terms by Eschwege, reviewed by the state editorial office.
	var prop struct{ ProposeLocalTerms struct{ ID, State string } }
	require.Empty(t, call(t, srv, eschwegeToken, `mutation { proposeLocalTerms(leikaKey: "99089017152000", ars: "066360003003",
		terms: [{text: "Fundbüro am Obermarkt", lang: DE}]) { id state } }`, nil, &prop))
	assert.Equal(t, "DRAFT", prop.ProposeLocalTerms.State)
	require.Empty(t, call(t, srv, eschwegeToken, `mutation($id: ID!) { submitChangeRequest(id: $id) { state } }`, map[string]any{"id": prop.ProposeLocalTerms.ID}, nil))
	require.Empty(t, call(t, srv, stateToken, `mutation($id: ID!) { reviewChangeRequest(id: $id, decision: APPROVE) { state terms { text } } }`, map[string]any{"id": prop.ProposeLocalTerms.ID}, nil))
	var local struct {
		LocalService struct{ Terms []struct{ Text string } }
	}
	require.Empty(t, call(t, srv, "", `{ localService(leikaKey: "99089017152000", ars: "066360003003") { terms { text } } }`, nil, &local))
	var texts []string
	for _, term := range local.LocalService.Terms {
		texts = append(texts, term.Text)
	}
	assert.Contains(t, texts, "Fundbüro am Obermarkt")
	assert.Contains(t, texts, "Schlüsselfundstelle")

	// The approved local term is searched in Eschwege, not elsewhere.
	require.NoError(t, ix.CatchUp(ctx))
	inPlace := func(ars string) []string {
		t.Helper()
		require.Empty(t, call(t, srv, "", q, map[string]any{"q": "obermarkt", "ars": ars}, &res))
		var keys []string
		for _, h := range res.Search.Hits {
			keys = append(keys, h.Service.LeikaKeys[0])
		}
		return keys
	}
	if got := inPlace("066360003003"); assert.NotEmpty(t, got) {
		assert.Equal(t, "99089017152000", got[0], "Eschwege's local term")
	}
	assert.NotContains(t, inPlace("066110000000"), "99089017152000", "not in Kassel")
}

// TestEditorsOwnTheWholeDictionary: the rules that used to be built into
// the search's code are entries of the catalogue's dictionary, listed in
// searchDictionary; an editor who deletes one takes it out of the search,
// and one who puts it back (with a phrase of their own) brings it back.
func TestEditorsOwnTheWholeDictionary(t *testing.T) {
	t.Parallel() // a store of its own: runs beside the other tests
	srv, st, ix := searchServer(t)
	ctx := context.Background()
	token, _, err := st.CreateEditor(ctx, nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	require.NoError(t, err)

	type entry struct {
		ID               string
		Lang             string
		Phrases          []string
		MeansDe, MeansEn []string
		Revision         int
	}
	var dict struct{ SearchDictionary []entry }
	require.Empty(t, call(t, srv, token, `{ searchDictionary { id lang phrases meansDe meansEn revision } }`, nil, &dict))
	var drone *entry
	for i, e := range dict.SearchDictionary {
		for _, p := range e.Phrases {
			if p == "drohne" {
				drone = &dict.SearchDictionary[i]
			}
		}
	}
	require.NotNil(t, drone, "the drone rule is an entry of the dictionary")
	assert.Equal(t, []string{"unbemannte Luftfahrt"}, drone.MeansDe)

	const dipul = "99080110023000" // dipul – Digitale Plattform Unbemannte Luftfahrt
	top := func(q string) []string {
		t.Helper()
		var res struct {
			Search struct {
				Hits []struct{ Service struct{ LeikaKeys []string } }
			}
		}
		require.Empty(t, call(t, srv, "", `query($q: String!) { search(query: $q, first: 3) { hits { service { leikaKeys } } } }`, map[string]any{"q": q}, &res))
		var keys []string
		for _, h := range res.Search.Hits {
			keys = append(keys, h.Service.LeikaKeys[0])
		}
		return keys
	}
	require.NotEmpty(t, top("drohne"))
	assert.Equal(t, dipul, top("drohne")[0], "the entry leads from Drohne to the drone platform")
	assert.NotContains(t, top("quadrocopter"), dipul)

	var deleted struct{ DeleteSearchConcept struct{ ID string } }
	require.Empty(t, call(t, srv, token, `mutation($id: ID!, $rev: Int!) { deleteSearchConcept(id: $id, expectedRevision: $rev) { id } }`,
		map[string]any{"id": drone.ID, "rev": drone.Revision}, &deleted))
	require.NoError(t, ix.CatchUp(ctx))
	assert.NotContains(t, top("drohne"), dipul, "deleted: no rule in the code brings it back")

	in := map[string]any{"lang": "DE", "phrases": append(drone.Phrases, "quadrocopter"), "meansDe": drone.MeansDe, "meansEn": drone.MeansEn}
	require.Empty(t, call(t, srv, token, `mutation($in: SearchConceptInput!) { putSearchConcept(input: $in) { id } }`, map[string]any{"in": in}, nil))
	require.NoError(t, ix.CatchUp(ctx))
	require.NotEmpty(t, top("drohne"))
	assert.Equal(t, dipul, top("drohne")[0], "put back")
	require.NotEmpty(t, top("quadrocopter"))
	assert.Equal(t, dipul, top("quadrocopter")[0], "with the editor's new phrase")
}
