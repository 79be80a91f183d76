package graph

import (
	"bytes"
	"context"
	"errors"
	"math"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// TestSearchWriterScoresAreGqlgens: scores are written as gqlgen's Float
// marshaller writes them (%g), and an infinite or NaN score, which gqlgen
// answers with an error, leaves the answer to gqlgen.
func TestSearchWriterScoresAreGqlgens(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	for _, f := range []float64{0, 1, -1, 0.5, 1.0 / 3, 12.345678901234567, 1e-5, 1e-4, 123456789012, 1e20, 1e21, 1e22, 3.4e38, 5e-324, math.MaxFloat64} {
		var b bytes.Buffer
		graphql.WrapContextMarshaler(ctx, graphql.MarshalFloatContext(f)).MarshalGQL(&b)
		w := searchWriter{}
		w.float(f)
		assert.Equal(t, b.String(), string(w.buf), "%v", f)
		assert.False(t, w.invalid)
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		w := searchWriter{}
		w.float(f)
		assert.True(t, w.invalid, "%v", f)
	}
}

// TestSearchResolverTakesTheWritersOutcome: when the writer leaves a search
// it ran to gqlgen, the resolver answers with that search's result or
// error instead of searching (and logging the search) again.
func TestSearchResolverTakesTheWritersOutcome(t *testing.T) {
	r := &queryResolver{&Resolver{}} // no index: a search of its own would fail
	view := &SearchResultView{TotalCount: 7}
	ctx := context.WithValue(context.Background(), searchOutcomeKey{}, &searchOutcome{done: true, view: view})
	got, err := r.Search(ctx, "Kindergeld", nil, nil, nil, nil, nil, nil)
	require.NoError(t, err)
	assert.Same(t, view, got)

	failed := errors.New("store closed")
	ctx = context.WithValue(context.Background(), searchOutcomeKey{}, &searchOutcome{done: true, err: failed})
	_, err = r.Search(ctx, "Kindergeld", nil, nil, nil, nil, nil, nil)
	assert.Same(t, failed, err)

	ctx = context.WithValue(context.Background(), searchOutcomeKey{}, &searchOutcome{}) // the writer had not searched yet
	_, err = r.Search(ctx, "Kindergeld", nil, nil, nil, nil, nil, nil)
	assert.ErrorContains(t, err, "search is not available")
}

// TestSearchSupported: the writer takes bench's search and a result list's
// usual selections, and leaves to gqlgen what it does not write: the
// Service's batch resolvers and fields with arguments, @defer, fragments
// on other types.
func TestSearchSupported(t *testing.T) {
	for q, want := range map[string]bool{
		`{ search(query: "x", first: 20) { totalCount hits { service { leikaKeys name } } } }`:                                                                                                   true,
		`{ search(query: "x") { totalCount language didYouMean notice queryId pageInfo { hasNextPage endCursor } facets { name values { value label count } } } }`:                               true,
		`{ search(query: "x") { hits { score highlights { field fragments } responsibleOffices { name address { city } } service { ...S } } } } fragment S on Service { id shortText { text } }`: true,
		`{ search(query: "x") { hits { service { name modules { code } } } } }`:                                                                                                                  false,
		`{ search(query: "x") { hits { service { module(code: "06") { code } } } } }`:                                                                                                            false,
		`{ search(query: "x") { hits { service { implementationBundles { name } } } } }`:                                                                                                         false,
		`{ search(query: "x") { hits { service { lifeSituations { id } terms { text } } } } }`:                                                                                                   false,
		`{ search(query: "x") { hits { responsibleOffices { office { id } } } } }`:                                                                                                               false,
		`{ search(query: "x") { hits { ... @defer { score } } } }`:                                                                                                                               false,
		`{ search(query: "x") { hits { ...S } } } fragment S on Service { name }`:                                                                                                                false,
		`{ search(query: "x") { hits { service { shortText { text(format: HTML) } } } } }`:                                                                                                       false,
	} {
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if !assert.NoError(t, err, q) {
			continue
		}
		root := doc.Operations[0].SelectionSet[0].(*ast.Field)
		var need viewNeeds
		assert.Equal(t, want, pageSupported(doc.Fragments, root.SelectionSet, "SearchResult", 0, &need), q)
	}
}

// TestSearchWriterLeavesNullsInNonNullFieldsToGqlgen: where gqlgen would
// answer with an error (a service without a formal name, an infinite
// score, no page info), the writer marks the answer invalid, and the
// handler then leaves it to gqlgen; nulls in nullable fields are written.
func TestSearchWriterLeavesNullsInNonNullFieldsToGqlgen(t *testing.T) {
	const q = `{ search(query: "x") { didYouMean queryId notice pageInfo { endCursor } hits { score service { formalName { text } shortText { text } validFrom processingTime { description { text } } } } } }`
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	require.NoError(t, err)
	sel := doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
	write := func(v *SearchResultView) (string, bool) {
		w := searchWriter{pageWriter: pageWriter{oc: &graphql.OperationContext{Doc: doc, Variables: map[string]any{}}}, ctx: context.Background()}
		w.searchResult(sel, v)
		return string(w.buf), w.invalid
	}
	named := &catalog.Service{Texts: map[catalog.Module]i18n.Text{catalog.ModuleName: i18n.German("Kindergeld")}}
	view := func(score float64, s *catalog.Service, page *PageInfo) *SearchResultView {
		return &SearchResultView{Hits: []*SearchHitView{{Score: score, Service: s}}, PageInfo: page}
	}
	got, invalid := write(view(1.5, named, &PageInfo{}))
	assert.False(t, invalid)
	assert.Equal(t, `{"didYouMean":null,"queryId":null,"notice":null,"pageInfo":{"endCursor":null},"hits":[{"score":1.5,"service":{"formalName":{"text":"Kindergeld"},"shortText":null,"validFrom":null,"processingTime":null}}]}`, got)
	for name, v := range map[string]*SearchResultView{
		"no formal name": view(1.5, &catalog.Service{}, &PageInfo{}),
		"NaN score":      view(math.NaN(), named, &PageInfo{}),
		"no page info":   view(1.5, named, nil),
		"no service":     view(1.5, nil, &PageInfo{}),
	} {
		_, invalid := write(v)
		assert.True(t, invalid, name)
	}
}
