package graph_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/graph"
)

// TestDocumentedPageSizesPass asks every paged list for its largest page
// (first: 100) with the selection a front end would make, and checks the
// limits let it through and the answer says what it cost.
func TestDocumentedPageSizesPass(t *testing.T) {
	srv := demoServer(t)
	cases := map[string]string{
		"ServicesFiveFields": `{ services(first: 100) { nodes { id name leikaKeys addressees categories } } }`,
		"ServicesPortalList": `{ services(first: 100, filter: {addressee: BUSINESS}) { totalCount pageInfo { hasNextPage endCursor }
			nodes { id name leikaKeys status addressees categories shortText { text language isFallback } fees { formatted } } } }`,
		"Regions": `{ regions(query: "a", first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { ars name level levelLabel postalCodes parent { ars name } } } }`,
		"Offices": `{ offices(ars: "060000000000", first: 100) { totalCount pageInfo { hasNextPage endCursor }
			nodes { id name kind address { street postalCode city } openingHours contacts { name } } } }`,
		"Search": `{ search(query: "anmelden", first: 100) { totalCount didYouMean pageInfo { hasNextPage endCursor }
			hits { score highlights { field fragments } service { id name leikaKeys } responsibleOffices { name address { street city } } }
			facets { name values { label count } } } }`,
		"Suggest":             `{ suggest(prefix: "Ge", limit: 100) { text service { id name } } }`,
		"AuditLog":            `{ auditLog(first: 100) { pageInfo { hasNextPage endCursor } nodes { seq time actor role operation kind id outcome revision message } } }`,
		"ChangedSince":        `{ changedSince(since: "2024-01-01T00:00:00Z", first: 100) { pageInfo { hasNextPage endCursor } nodes { revision time operation kind id ars actor reason } } }`,
		"ChangeRequests":      `{ changeRequests(first: 100) { totalCount pageInfo { hasNextPage endCursor } nodes { id leikaKey region { name } module moduleLabel mode text { text } state revision } } }`,
		"TranslationCoverage": `{ translationCoverage(first: 100) { servicesConsidered totalCount totals { module label german translated missing stale } gaps { service { id name } missing stale } pageInfo { hasNextPage endCursor } } }`,
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			resp, body := postQuery(t, srv, q, nil, nil)
			assert.Equal(t, 200, resp.StatusCode)
			r := decode(t, body)
			for _, e := range r.Errors {
				// Editors-only lists answer FORBIDDEN to anonymous callers;
				// what matters here is that no limit refused the query.
				assert.NotContains(t, []any{"COMPLEXITY_LIMIT_EXCEEDED", "DEPTH_LIMIT_EXCEEDED"}, e.Extensions["code"], "%s", body)
			}
			require.NotNil(t, r.Data, "%s", body)
			cost := costOfAnswer(t, r)
			assert.LessOrEqual(t, cost.Complexity, cost.MaxComplexity)
			assert.Greater(t, cost.Complexity, 100, "a page of 100 costs at least one per element")
			t.Logf("complexity %d of %d, depth %d of %d", cost.Complexity, cost.MaxComplexity, cost.Depth, cost.MaxDepth)
		})
	}
}

func costOfAnswer(t *testing.T, r gqlResponse) graph.Cost {
	t.Helper()
	raw, ok := r.Extensions["cost"]
	require.True(t, ok, "extensions.cost is missing")
	b, _ := json.Marshal(raw)
	var c graph.Cost
	require.NoError(t, json.Unmarshal(b, &c))
	return c
}

// TestCostReported checks extensions.cost against a query whose cost can
// be counted by hand: regions(first: 3) { nodes { name } } is the list
// field (1) plus 3 times (nodes 1 + name 1).
func TestCostReported(t *testing.T) {
	srv := demoServer(t)
	_, body := postQuery(t, srv, `{ regions(query: "Eschwege", first: 3) { nodes { name } } }`, nil, nil)
	r := decode(t, body)
	require.Empty(t, r.Errors, "%s", body)
	assert.Equal(t, graph.Cost{Complexity: 1 + 3*2, MaxComplexity: graph.MaxComplexity, Depth: 3, MaxDepth: graph.MaxDepth}, costOfAnswer(t, r))

	_, body = postQuery(t, srv, `{ __typename }`, nil, nil)
	assert.Equal(t, graph.Cost{Complexity: 1, MaxComplexity: graph.MaxComplexity, Depth: 1, MaxDepth: graph.MaxDepth}, costOfAnswer(t, decode(t, body)))
}

// TestUncoercibleArgumentsAreInvalid: a DateTime that is not RFC 3339, as
// a literal or a variable, is the client's mistake: INVALID with the
// argument's name, never INTERNAL, and nothing is logged as an error.
func TestUncoercibleArgumentsAreInvalid(t *testing.T) {
	st, ix := sharedDemo(t)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := serve(t, graph.Options{Store: st, Search: ix, Logger: log})
	cases := []struct {
		name, query string
		vars        map[string]any
		code, field string
	}{
		{"DateTimeLiteral", `{ service(leikaKey: "99050012104000", at: "yesterday") { name } }`, nil, "INVALID", "at"},
		{"DateTimeVariable", `query($at: DateTime) { localService(leikaKey: "99050012104000", ars: "066360003003", at: $at) { name } }`, map[string]any{"at": "2024-13-45"}, "INVALID", "at"},
		{"DateTimeNumber", `query($at: DateTime) { office(id: "HE.OE.0000000383", at: $at) { name } }`, map[string]any{"at": 20240101}, "INVALID", "at"},
		{"DateTimeRequired", `{ changedSince(since: "last week") { nodes { id } } }`, nil, "INVALID", "since"},
		{"EnumVariable", `query($l: Lang) { service(leikaKey: "99050012104000", lang: $l) { name } }`, map[string]any{"l": "FR"}, "GRAPHQL_VALIDATION_FAILED", ""},
		{"IntVariable", `query($n: Int) { services(first: $n) { totalCount } }`, map[string]any{"n": "many"}, "GRAPHQL_VALIDATION_FAILED", ""},
		{"IntLiteral", `{ services(first: "many") { totalCount } }`, nil, "GRAPHQL_VALIDATION_FAILED", ""},
		{"IntOverflowVariable", `query($n: Int) { services(first: $n) { totalCount } }`, map[string]any{"n": 1e20}, "GRAPHQL_VALIDATION_FAILED", ""},
		{"IntOverflowLiteral", `{ services(first: 99999999999) { totalCount } }`, nil, "INVALID", "first"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			logs.Reset()
			resp, body := postQuery(t, srv, c.query, c.vars, nil)
			assert.Equal(t, 200, resp.StatusCode)
			r := decode(t, body)
			require.NotEmpty(t, r.Errors, "%s", body)
			assert.Equal(t, c.code, r.Errors[0].Extensions["code"], "%s", body)
			if c.field != "" {
				assert.Equal(t, c.field, r.Errors[0].Extensions["field"], "%s", body)
			}
			assert.NotContains(t, logs.String(), `"level":"ERROR"`)
		})
	}
}
