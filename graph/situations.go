package graph

import (
	"context"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Life situations, terms in context, the search dictionary and the search
// log's insights: thin conversions between GraphQL and the catalogue.

// TermView is a term in context as GraphQL shows it.
type TermView struct {
	Text string
	Lang Lang
	Type string
}

func termViews(ts []catalog.Term) []*TermView {
	out := make([]*TermView, 0, len(ts))
	for _, t := range ts {
		out = append(out, &TermView{Text: t.Text, Lang: langEnum(t.Lang), Type: t.Type})
	}
	return out
}

func termsFrom(in []*TermInput) []catalog.Term {
	out := make([]catalog.Term, 0, len(in))
	for _, t := range in {
		typ := deref(t.Type)
		if typ == "" {
			typ = catalog.DefaultTermType
		}
		out = append(out, catalog.Term{Text: t.Text, Lang: langCode(&t.Lang), Type: typ})
	}
	return out
}

func lifeSituationFrom(in LifeSituationInput) *catalog.LifeSituation {
	l := &catalog.LifeSituation{Name: text(in.Name), Addressee: in.Addressee, ParentID: deref(in.Parent)}
	if in.Description != nil {
		l.Description = text(in.Description)
	}
	if in.Order != nil {
		l.Order = *in.Order
	}
	return l
}

func conceptFrom(in SearchConceptInput) *catalog.Concept {
	c := &catalog.Concept{Lang: langCode(&in.Lang), Phrases: in.Phrases, LifeSituationIDs: in.LifeSituations,
		Generic: deref(in.Generic)}
	if len(in.MeansDe) > 0 || len(in.MeansEn) > 0 {
		c.Means = map[string][]string{}
		if len(in.MeansDe) > 0 {
			c.Means[i18n.DE] = in.MeansDe
		}
		if len(in.MeansEn) > 0 {
			c.Means[i18n.EN] = in.MeansEn
		}
	}
	return c
}

// lifeSituations reads the taxonomy once per request level.
func (r *Resolver) lifeSituations(ctx context.Context) ([]*catalog.LifeSituation, error) {
	return read(ctx, r.Store, (*catalog.Tx).LifeSituations)
}

// situationsByID returns the situations with the given IDs in that order;
// unknown IDs (deleted, or of a peer not mirrored yet) are left out.
func (r *Resolver) situationsByID(ctx context.Context, ids []string) ([]*catalog.LifeSituation, error) {
	out := []*catalog.LifeSituation{}
	if len(ids) == 0 {
		return out, nil
	}
	err := r.Store.ViewShared(ctx, func(tx *catalog.Tx) error {
		for _, id := range ids {
			l, err := tx.LifeSituation(id)
			switch {
			case err == nil:
				out = append(out, l)
			case catalog.ErrorCode(err) != catalog.ENOTFOUND:
				return err
			}
		}
		return nil
	})
	return out, err
}
