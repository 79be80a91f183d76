package graph

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Limits on what one request may ask for. They keep a hostile or careless
// query from tying up the server; each breach gets a stable error code.
// The README documents them with these numbers.
const (
	MaxRequestBytes = 64 << 10 // body of a POST, or the query string of a GET
	MaxDepth        = 12       // nesting of selections (introspection has its own rule, below)
	// MaxComplexity bounds the fields an operation may resolve: one per
	// field, list fields times their page size (first, default 20, at most
	// 100) or their typical length. services(first: 100) with a portal
	// list's selection (name, leikaKeys, short text, addressees, fees)
	// costs about 1 000; the limit leaves room for five such lists.
	MaxComplexity = 5000
	MaxTokens     = 5000 // lexer tokens of one document
)

// depthLimit refuses operations nested deeper than max. Introspection
// (__schema, __type) counts as one level here: the introspection query of
// GraphiQL and of code generators nests ofType nine levels deep, which
// costs nothing, and refusing it would keep every tool from reading the
// schema. What does cost, nesting the schema-sized lists (fields,
// interfaces, possibleTypes, inputFields) in each other, is refused by
// validation (gqlparser's port of graphql-js's MaxIntrospectionDepthRule,
// at most 3 levels).
type depthLimit struct{ max int }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = depthLimit{}

const depthStats = "DepthLimit"

func (depthLimit) ExtensionName() string                   { return depthStats }
func (depthLimit) Validate(graphql.ExecutableSchema) error { return nil }
func (d depthLimit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	depth := selectionDepth(oc.Operation.SelectionSet, oc.Doc.Fragments, 0)
	oc.Stats.SetExtension(depthStats, depth)
	if depth > d.max {
		err := gqlerror.Errorf("the query is nested %d levels deep; at most %d are allowed", depth, d.max)
		err.Extensions = map[string]any{"code": "DEPTH_LIMIT_EXCEEDED"}
		return err
	}
	return nil
}

func isIntrospection(f *ast.Field) bool { return f.Name == "__schema" || f.Name == "__type" }

func selectionDepth(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen int) int {
	if seen > 64 {
		return seen // a fragment cycle; validation reports it
	}
	deepest := 0
	for _, s := range set {
		var d int
		switch s := s.(type) {
		case *ast.Field:
			if len(s.SelectionSet) > 0 && !isIntrospection(s) {
				d = 1 + selectionDepth(s.SelectionSet, frags, seen+1)
			} else {
				d = 1
			}
		case *ast.InlineFragment:
			d = selectionDepth(s.SelectionSet, frags, seen+1)
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil {
				d = selectionDepth(f.SelectionSet, frags, seen+1)
			}
		}
		deepest = max(deepest, d)
	}
	return deepest
}

// introspectionGuard refuses __schema and __type where introspection is
// turned off (__typename stays: clients need it to read unions).
type introspectionGuard struct{}

func (introspectionGuard) ExtensionName() string                   { return "IntrospectionGuard" }
func (introspectionGuard) Validate(graphql.ExecutableSchema) error { return nil }
func (introspectionGuard) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation != nil && selectsIntrospection(oc.Operation.SelectionSet, oc.Doc.Fragments, 0) {
		err := gqlerror.Errorf("introspection is turned off on this server")
		err.Extensions = map[string]any{"code": CodeIntrospectionOff}
		return err
	}
	return nil
}

func selectsIntrospection(set ast.SelectionSet, frags ast.FragmentDefinitionList, seen int) bool {
	if seen > 64 {
		return false
	}
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if isIntrospection(s) {
				return true
			}
		case *ast.InlineFragment:
			if selectsIntrospection(s.SelectionSet, frags, seen+1) {
				return true
			}
		case *ast.FragmentSpread:
			if f := frags.ForName(s.Name); f != nil && selectsIntrospection(f.SelectionSet, frags, seen+1) {
				return true
			}
		}
	}
	return false
}

// Cost is what an operation spent of the limits; every answer of an
// operation that ran carries it in extensions.cost.
type Cost struct {
	Complexity    int `json:"complexity"`
	MaxComplexity int `json:"maxComplexity"`
	Depth         int `json:"depth"`
	MaxDepth      int `json:"maxDepth"`
}

func costOf(ctx context.Context) Cost {
	c := Cost{MaxComplexity: MaxComplexity, MaxDepth: MaxDepth}
	if s := extension.GetComplexityStats(ctx); s != nil {
		c.Complexity = s.Complexity
	}
	if oc := graphql.GetOperationContext(ctx); oc != nil {
		c.Depth, _ = oc.Stats.GetExtension(depthStats).(int)
	}
	return c
}

// complexity makes list fields cost their length times their children, so
// that the complexity limit bounds the work a query can cause: a paged list
// its page size (first, with the schema's default when left out), other
// lists their typical length in the catalogue.
func complexity() ComplexityRoot {
	var c ComplexityRoot
	page := func(first *int) int {
		if first == nil {
			return defaultPageSize
		}
		return max(1, min(*first, maxPageSize))
	}
	c.Query.Services = func(child int, _ *ServiceFilter, first *int, _ *string, _ *Lang) int { return 1 + page(first)*child }
	c.Query.Regions = func(child int, _ *string, first *int, _ *string, _ *Lang) int { return 1 + page(first)*child }
	c.Query.Offices = func(child int, _ string, first *int, _ *string, _ *Lang) int { return 1 + page(first)*child }
	c.Query.OnlineServices = func(child int, _ string, first *int, _ *string, _ *Lang) int { return 1 + page(first)*child }
	c.Query.Responsibilities = func(child int, _ string, first *int, _ *string, _ *Lang) int { return 1 + page(first)*child }
	c.Query.Search = func(child int, _ string, _ *string, _ *Lang, _ *SearchFilter, first *int, _ *string, _ *SearchScope) int {
		return 1 + page(first)*child
	}
	c.Query.Suggest = func(child int, _ string, _ *string, _ *Lang, limit *int) int { return 1 + page(limit)*child }
	c.Query.AuditLog = func(child int, first *int, _ *string) int { return 1 + page(first)*child }
	c.Query.ChangedSince = func(child int, _ time.Time, _ *string, first *int, _ *string) int { return 1 + page(first)*child }
	c.Query.ChangeRequests = func(child int, _ *catalog.Status, _ *string, first *int, _ *string, _ *Lang) int {
		return 1 + page(first)*child
	}
	c.Query.TranslationCoverage = func(child int, _ *string, first *int, _ *string, _ *Lang) int { return 1 + page(first)*child }
	c.Query.ImplementationBundles = func(child int, _ *Lang) int { return 1 + 30*child }
	c.ImplementationBundle.Services = func(child int) int { return 1 + 20*child }
	c.Region.Children = func(child int) int { return 1 + 30*child }
	c.Service.ImplementationBundles = func(child int) int { return 1 + 2*child }
	return c
}
