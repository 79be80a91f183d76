package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// selected reports whether the client's selection of the field being
// resolved contains the field path ("hits", "highlights"), through
// fragments and aliases too. Resolvers use it to leave out work whose
// result the client did not ask for, such as the highlights and facets of
// a search.
func selected(ctx context.Context, path ...string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return true // not inside a query: assume everything is wanted
	}
	return selects(graphql.GetOperationContext(ctx), fc.Field.Selections, path)
}

func selects(op *graphql.OperationContext, sel ast.SelectionSet, path []string) bool {
	if len(path) == 0 {
		return true
	}
	for _, f := range graphql.CollectFields(op, sel, nil) {
		if f.Name == path[0] && selects(op, f.Selections, path[1:]) {
			return true
		}
	}
	return false
}
