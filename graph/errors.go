package graph

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// errorPresenter turns every error into a GraphQL error with a stable
// extensions.code. Catalogue errors keep their user-safe message (and field,
// rule or current revision); anything else is logged and shown as INTERNAL
// without its text, so internals never leak.
func errorPresenter(log *slog.Logger) graphql.ErrorPresenterFunc {
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
		if !errors.As(err, &ce) || ce.Code == catalog.EINTERNAL && ce.Rule == "" {
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

// recoverFunc logs a panic and answers INTERNAL.
func recoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, p any) error {
		log.ErrorContext(ctx, "panic in resolver", "panic", fmt.Sprint(p), "path", graphql.GetPath(ctx).String())
		return catalog.Internal(fmt.Errorf("panic: %v", p))
	}
}
