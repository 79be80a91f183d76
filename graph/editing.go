package graph

import (
	"context"
	"fmt"

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

func requireEditor(ctx context.Context) error {
	p := principalOf(ctx)
	switch p.Role {
	case catalog.AccessStateEditor, catalog.AccessMunicipalEditor, catalog.AccessAdmin:
		return nil
	}
	return forbiddenOrUnauthenticated(p, "this is for editors")
}

func forbiddenOrUnauthenticated(p *catalog.Principal, msg string) error {
	if p.Role == catalog.AccessAnonymous {
		return catalog.Errorf(catalog.EUNAUTHENTICATED, "%s; send an editor token", msg)
	}
	return catalog.Errorf(catalog.EFORBIDDEN, "%s", msg)
}

func permissions(p *catalog.Principal) []string {
	switch p.Role {
	case catalog.AccessStateEditor:
		return []string{"read published and draft services", "write and publish central service descriptions",
			"write offices, online services and responsibilities", "review local additions", "read the audit log"}
	case catalog.AccessMunicipalEditor:
		scopes := fmt.Sprint(p.Editor.Scopes)
		return []string{"write offices, online services and responsibilities in " + scopes,
			"propose local additions in " + scopes, "read the history of records"}
	case catalog.AccessAdmin:
		return []string{"manage editors and tokens", "read the audit log"}
	case catalog.AccessPeer:
		return []string{"read the federation feed"}
	}
	return []string{"read published data"}
}

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
