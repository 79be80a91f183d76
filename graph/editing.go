package graph

import (
	"context"
	"fmt"

	"github.com/leistungsfinder/leistungsfinder/i18n"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// write runs a mutation as one audited store transaction on behalf of the
// caller; the catalogue authorizes every write inside it.
func (r *Resolver) write(ctx context.Context, op string, kind catalog.Kind, id string, fn func(*catalog.Tx) error) error {
	return r.Store.Mutate(ctx, principalOf(ctx), catalog.Mutation{Op: op, Kind: kind, ID: id}, fn)
}

func (r *Resolver) delete(ctx context.Context, op string, kind catalog.Kind, id string, expectedRevision int, reason *string) (*Deleted, error) {
	exp, err := asRevision("expectedRevision", expectedRevision)
	if err != nil {
		return nil, err
	}
	var rev uint64
	err = r.write(ctx, op, kind, id, func(tx *catalog.Tx) error {
		if err := tx.Delete(kind, id, catalog.Write{Reason: deref(reason), Expected: &exp}); err != nil {
			return err
		}
		rev = tx.Revision()
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &Deleted{ID: id, Revision: int(rev)}, nil
}

func (r *Resolver) setServiceStatus(ctx context.Context, op, id string, status catalog.Status, expectedRevision int, reason *string) (*catalog.Service, error) {
	exp, err := asRevision("expectedRevision", expectedRevision)
	if err != nil {
		return nil, err
	}
	var s *catalog.Service
	err = r.write(ctx, op, catalog.KindService, id, func(tx *catalog.Tx) (err error) {
		if s, err = tx.Service(id); err != nil {
			return err
		}
		s.Status = status
		return tx.Put(s, catalog.Write{Reason: deref(reason), Expected: &exp})
	})
	return s, err
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

func (r *Resolver) translate(ctx context.Context, op string, kind RecordKind, id, path, lang string, v i18n.Version, confirm bool, expectedRevision int, reason *string) (*TranslationResult, error) {
	kd, ok := recordKinds[kind]
	if !ok {
		return nil, catalog.Invalid("kind", "enum", "unknown kind")
	}
	exp, err := asRevision("expectedRevision", expectedRevision)
	if err != nil {
		return nil, err
	}
	var rec catalog.Record
	err = r.write(ctx, op, kd, id, func(tx *catalog.Tx) (err error) {
		rec, err = tx.SetTranslation(kd, id, path, lang, v, confirm, catalog.Write{Reason: deref(reason), Expected: &exp})
		return err
	})
	if err != nil {
		return nil, err
	}
	res := &TranslationResult{Kind: kind, ID: id, Path: path, Revision: int(catalog.MetaOf(rec).Revision)}
	if t, ok := catalog.TextAt(rec, path); ok {
		res.Text = localizeIn(t, lang)
	}
	return res, nil
}

// localizeIn shows one language version of t, as written.
func localizeIn(t i18n.Text, lang string) *LocalizedText {
	v, actual, fallback := t.Pick(lang)
	return localizedText(v, actual, fallback, t)
}
