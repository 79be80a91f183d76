package graph

import (
	"context"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ptrs returns pointers to the elements of s, as gqlgen's list fields want.
func ptrs[T any](s []T) []*T {
	out := make([]*T, len(s))
	for i := range s {
		out[i] = &s[i]
	}
	return out
}

// read returns what get reads in one shared read transaction of the store
// (catalog.Store.ViewShared).
func read[T any](ctx context.Context, st *catalog.Store, get func(*catalog.Tx) (T, error)) (T, error) {
	var out T
	err := st.ViewShared(ctx, func(tx *catalog.Tx) (err error) {
		out, err = get(tx)
		return err
	})
	return out, err
}

// lookup applies the API's one rule for single-object lookups (service,
// localService, region, office, onlineService): a key that is well-formed
// but names nothing answers null without an error, as GraphQL's nullable
// fields mean; a malformed key is INVALID, and every other failure stays an
// error. Commands (mutations) on a missing record answer NOT_FOUND.
func lookup[T any](v *T, err error) (*T, error) {
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func formatFee(ctx context.Context, f *catalog.Fee) string {
	lang := langOf(ctx).Lang
	switch f.Kind {
	case catalog.FeeFixed:
		return i18n.FormatMoney(lang, int64(f.Amount))
	case catalog.FeeRange:
		return i18n.FormatMoneyRange(lang, int64(f.Min), int64(f.Max))
	default:
		return i18n.Label(lang, "fee.FREE")
	}
}
