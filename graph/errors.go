package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// errorPresenter turns every error into a GraphQL error with a stable
// extensions.code. Catalogue errors keep their user-safe message (and field,
// rule or current revision); anything else is logged and shown as INTERNAL
// without its text, so internals never leak.
func errorPresenter(log *slog.Logger, metrics *Metrics) graphql.ErrorPresenterFunc {
	present := presentError(log)
	return func(ctx context.Context, err error) *gqlerror.Error {
		e := present(ctx, err)
		if code, ok := e.Extensions["code"].(string); ok {
			metrics.errorCode(code)
		}
		return e
	}
}

func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) && gqlErr.Err == nil {
			// Parse, validation and limit errors from gqlgen already carry a code.
			if gqlErr.Extensions == nil {
				gqlErr.Extensions = map[string]any{"code": "GRAPHQL_VALIDATION_FAILED"}
			}
			return gqlErr
		}
		path := graphql.GetPath(ctx)
		var ce *catalog.Error
		if !errors.As(err, &ce) && gqlErr != nil {
			if arg, ok := argumentOf(ctx, gqlErr.Path); ok {
				// An argument value that cannot be coerced to its type (a
				// DateTime that is not RFC 3339, say): the client's
				// mistake, not ours.
				return &gqlerror.Error{Path: path, Locations: gqlErr.Locations,
					Message:    fmt.Sprintf("%s: %v", arg, gqlErr.Err),
					Extensions: map[string]any{"code": catalog.EINVALID, "field": arg, "rule": "type"}}
			}
		}
		if ce == nil || ce.Code == catalog.EINTERNAL && ce.Rule == "" {
			log.ErrorContext(ctx, "internal error", "err", err, "path", path.String())
			return &gqlerror.Error{Path: path, Message: i18n.Label(langOf(ctx).Lang, "error.INTERNAL"),
				Extensions: map[string]any{"code": catalog.EINTERNAL}}
		}
		if ce.Code == catalog.EINTERNAL { // a storage fault the client may know of (catalog.RuleDiskFull)
			log.ErrorContext(ctx, "write failed", "err", err, "path", path.String())
		}
		ext := map[string]any{"code": ce.Code}
		if ce.Field != "" {
			ext["field"] = ce.Field
		}
		if ce.Rule != "" {
			ext["rule"] = ce.Rule
		}
		if ce.Code == catalog.ECONFLICT {
			ext["currentRevision"] = ce.Current
		}
		var all catalog.Errors
		if errors.As(err, &all) && len(all) > 1 {
			details := make([]map[string]any, 0, len(all))
			for _, e := range all {
				details = append(details, map[string]any{"field": e.Field, "rule": e.Rule, "message": e.Message})
			}
			ext["errors"] = details
		}
		return &gqlerror.Error{Path: path, Message: ce.Message, Extensions: ext}
	}
}

// argumentOf tells whether an error's path runs into an argument of the
// field being resolved, where gqlgen reports values that do not coerce to
// their scalar type, and names the argument (with the input fields below
// it, dotted).
func argumentOf(ctx context.Context, errPath ast.Path) (string, bool) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
		return "", false
	}
	fieldPath := fc.Path()
	if len(errPath) <= len(fieldPath) {
		return "", false
	}
	name, ok := errPath[len(fieldPath)].(ast.PathName)
	if !ok || fc.Field.Definition.Arguments.ForName(string(name)) == nil {
		return "", false
	}
	parts := []string{string(name)}
	for _, p := range errPath[len(fieldPath)+1:] {
		switch p := p.(type) {
		case ast.PathName:
			parts = append(parts, string(p))
		case ast.PathIndex:
			parts[len(parts)-1] += fmt.Sprintf("[%d]", int(p))
		}
	}
	return strings.Join(parts, "."), true
}

// recoverFunc logs a panic and answers INTERNAL.
func recoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "path", graphql.GetPath(ctx).String())
		return catalog.Internal(fmt.Errorf("panic: %v", p))
	}
}
