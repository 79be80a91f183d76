package graph

import (
	"context"

	"github.com/leistungsfinder/leistungsfinder/i18n"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// apply runs one catalogue command on behalf of the caller: the catalogue
// authorizes, validates, writes and audits it in one transaction.
func (r *Resolver) apply(ctx context.Context, c catalog.Command, reason *string) (*catalog.Result, error) {
	return r.Store.Apply(ctx, principalOf(ctx), c, deref(reason))
}

// applyAs runs a command and returns the record it wrote as a T.
func applyAs[T any](r *Resolver, ctx context.Context, c catalog.Command, reason *string) (*T, error) {
	res, err := r.apply(ctx, c, reason)
	if err != nil {
		return nil, err
	}
	return any(res.Record).(*T), nil
}

// deleted runs a delete command.
func (r *Resolver) deleted(ctx context.Context, c catalog.Command, id string, reason *string) (*Deleted, error) {
	res, err := r.apply(ctx, c, reason)
	if err != nil {
		return nil, err
	}
	return &Deleted{ID: id, Revision: int(res.Revision)}, nil
}

func historyVersion(prev, cur catalog.Record) *HistoryVersion {
	m := catalog.MetaOf(cur)
	v := &HistoryVersion{Revision: int(m.Revision), Version: m.Version, ChangedAt: m.UpdatedAt, ChangedBy: m.UpdatedBy,
		Changes: []*catalog.FieldChange{}}
	if m.Reason != "" {
		v.Reason = &m.Reason
	}
	for _, c := range catalog.Diff(prev, cur) {
		v.Changes = append(v.Changes, &c)
	}
	return v
}

// mayRead checks that the caller may read r (see catalog.Principal.MayRead).
func mayRead(ctx context.Context, r catalog.Reading) error { return principalOf(ctx).MayRead(r) }

// translated answers a translation command.
func (r *Resolver) translated(ctx context.Context, kind RecordKind, c catalog.Command, path, lang string, reason *string) (*TranslationResult, error) {
	res, err := r.apply(ctx, c, reason)
	if err != nil {
		return nil, err
	}
	out := &TranslationResult{Kind: kind, ID: catalog.MetaOf(res.Record).ID, Path: path, Revision: int(catalog.MetaOf(res.Record).Revision)}
	if t, ok := catalog.TextAt(res.Record, path); ok {
		out.Text = localizeIn(t, lang)
	}
	return out, nil
}

// localizeIn shows one language version of t, as written.
func localizeIn(t i18n.Text, lang string) *LocalizedText {
	v, actual, fallback := t.Pick(lang)
	return localizedText(v, actual, fallback, t)
}
