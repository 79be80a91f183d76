package search

import (
	"context"
	"fmt"
	"strings"

	index "github.com/blevesearch/bleve_index_api"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Explanation answers an editor's question "why is this service not found
// for this query at this place?".
type Explanation struct {
	Query    string
	LeikaKey string
	// ARS is the region the search was filtered by: the one asked for or
	// the place recognised in the query.
	ARS  string
	Lang string
	// Rewritten lists each concept of the query with the alternatives that
	// were searched ("perso: perso | Personalausweis | identity card").
	Rewritten []string
	// Total is the number of hits of the query at the place.
	Total    int
	Services []ServiceExplanation
	// Reasons sum it up in sentences an editor can act on.
	Reasons []string
}

// ServiceExplanation is the state of one service with the key.
type ServiceExplanation struct {
	ServiceID string
	Status    string
	Origin    string
	Published bool
	// Valid is whether today lies in the service's validity period.
	Valid   bool
	Indexed bool
	// Responsible is whether the key has a responsibility at the place or
	// above it (true when no place is given); ResponsibleAt lists the
	// region keys of the place's hierarchy where it has one.
	Responsible   bool
	ResponsibleAt []string
	// Matches lists which searched terms the service's document contains,
	// in which fields.
	Matches []TermMatch
	// Rank is the service's 1-based position in the results, 0 when it is
	// not among them (or beyond the first 1000).
	Rank  int
	Score float64
}

// TermMatch is a searched term found in fields of a document.
type TermMatch struct {
	Concept     string // the query words
	Alternative string // what was searched for them
	Term        string // the analysed term
	Fields      []string
}

const explainDepth = 1000

// Explain explains how the service(s) with a LeiKa key fare for a query at
// a place: whether they are published and indexed, responsible there, which
// query terms they contain, and their rank.
//
// Errors: INVALID (query, region key, LeiKa key), NOT_FOUND (unknown
// region), INTERNAL.
func (ix *Index) Explain(ctx context.Context, q, ars, leikaKey string) (*Explanation, error) {
	q, err := cleanQuery(q)
	if err != nil {
		return nil, err
	}
	if !catalog.ValidLeika(leikaKey) {
		return nil, catalog.Invalid("leikaKey", "format", "%q is not a 14-digit LeiKa key", leikaKey)
	}
	p, release, err := ix.acquire()
	if err != nil {
		return nil, err
	}
	defer release()
	if err := checkARS(p, ars); err != nil {
		return nil, err
	}
	var svcs []*catalog.Service
	// places are the region keys of each service's responsibilities as
	// the search filters by them: under all its LeiKa keys, offices and
	// online services alike.
	places := map[string][]string{}
	err = ix.st.View(ctx, func(tx *catalog.Tx) error {
		if svcs, err = tx.ServicesByLeika(leikaKey); err != nil {
			return err
		}
		for _, s := range svcs {
			if places[s.ID], _, err = servicePlaces(tx, s); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	pl, err := ix.newPlan(ctx, p, q, "", ars)
	if err != nil {
		return nil, err
	}
	defer pl.close()
	ex := &Explanation{Query: q, LeikaKey: leikaKey, ARS: pl.ars, Lang: pl.lang}
	for _, c := range pl.concepts {
		var alts []string
		for _, a := range c.alts {
			alts = append(alts, a.text)
		}
		ex.Rewritten = append(ex.Rewritten, joinSurface(c.words)+": "+strings.Join(alts, " | "))
	}
	ranks := map[string]int{}
	scores := map[string]float64{}
	res, err := pl.search(ctx, Filter{}, explainDepth, 0, nil)
	if err != nil {
		return nil, err
	}
	if res != nil {
		ex.Total = int(res.Total)
		for i, h := range res.Hits {
			ranks[h.ID] = i + 1
			scores[h.ID] = h.Score
		}
	}
	var chain map[string]bool
	if pl.ars != "" {
		chain = map[string]bool{}
		for _, a := range catalog.Ancestors(pl.ars) {
			chain[a] = true
		}
	}
	for _, s := range svcs {
		se := ServiceExplanation{ServiceID: s.ID, Status: string(s.Status), Origin: s.Origin,
			Published: s.Status == catalog.StatusPublished, Valid: s.Validity.Covers(ix.st.Now()),
			Rank: ranks[s.ID], Score: scores[s.ID]}
		if d, err := p.bi.Document(s.ID); err == nil && d != nil {
			se.Indexed = true
		}
		se.Responsible = chain == nil && len(places[s.ID]) > 0
		for _, a := range places[s.ID] {
			if chain[a] {
				se.ResponsibleAt = append(se.ResponsibleAt, a)
				se.Responsible = true
			}
		}
		if se.Indexed {
			se.Matches = pl.matches(s.ID)
		}
		ex.Services = append(ex.Services, se)
	}
	ex.Reasons = reasons(ex, places)
	return ex, nil
}

// matches checks every term the plan searches against one document.
func (pl *plan) matches(docID string) []TermMatch {
	iid, err := pl.r.InternalID(docID)
	if err != nil || iid == nil {
		return nil
	}
	var out []TermMatch
	seen := map[string]bool{}
	for _, c := range pl.concepts {
		for _, a := range c.alts {
			langs := []string{a.lang}
			if a.lang == "" {
				langs = []string{pl.lang, otherLang(pl.lang)}
			}
			if a.kind == altLeika {
				continue
			}
			for _, l := range langs {
				an := analyzerDE
				if l == i18n.EN {
					an = analyzerEN
				}
				for _, pos := range pl.positions(an, a.text) {
					for _, term := range append([]string{pos.whole}, pos.parts...) {
						key := l + "\x00" + term
						if seen[key] {
							continue
						}
						seen[key] = true
						var fields []string
						for _, fw := range fieldWeights {
							if pl.hasTerm(fw.prefix+l, term, iid) {
								fields = append(fields, fw.prefix+l)
							}
						}
						fields = append(fields, pl.localMatches(l, term, iid)...)
						if len(fields) > 0 {
							out = append(out, TermMatch{Concept: joinSurface(c.words), Alternative: a.text, Term: term, Fields: fields})
						}
					}
				}
			}
		}
	}
	return out
}

func (pl *plan) hasTerm(field, term string, iid index.IndexInternalID) bool {
	tfr, err := pl.r.TermFieldReader(pl.ctx, []byte(term), field, false, false, false)
	if err != nil {
		return false
	}
	defer tfr.Close()
	d, err := tfr.Advance(iid, nil)
	return err == nil && d != nil && d.ID.Equals(iid)
}

// reasons sums ex up; places are the sorted region keys of each service's
// responsibilities (servicePlaces).
func reasons(ex *Explanation, places map[string][]string) []string {
	if len(ex.Services) == 0 {
		return []string{fmt.Sprintf("No service with LeiKa key %s is in the catalogue.", ex.LeikaKey)}
	}
	var out []string
	for _, s := range ex.Services {
		switch {
		case !s.Published:
			out = append(out, fmt.Sprintf("%s is %s: only published services are searchable.", s.ServiceID, s.Status))
			continue
		case !s.Valid:
			out = append(out, fmt.Sprintf("%s is not valid today (validity period): it is searchable only while it is valid.", s.ServiceID))
			continue
		case !s.Indexed:
			out = append(out, fmt.Sprintf("%s is published but not in the index yet: the index follows the change log and catches up within moments; if it stays so, rebuild it.", s.ServiceID))
			continue
		}
		if regions := places[s.ServiceID]; ex.ARS != "" && !s.Responsible {
			if len(regions) == 0 {
				out = append(out, fmt.Sprintf("%s has no responsibility anywhere, so it is filtered out at every place.", s.ServiceID))
			} else {
				out = append(out, fmt.Sprintf("%s has no responsibility at %s or above it (it has %d elsewhere, e.g. %s).", s.ServiceID, ex.ARS, len(regions), regions[0]))
			}
		}
		if len(s.Matches) == 0 {
			out = append(out, fmt.Sprintf("%s contains none of the searched terms; add the words people use as keywords.", s.ServiceID))
		}
		switch {
		case s.Rank > 0:
			out = append(out, fmt.Sprintf("%s is found at rank %d of %d.", s.ServiceID, s.Rank, ex.Total))
		case len(s.Matches) > 0 && (ex.ARS == "" || s.Responsible):
			out = append(out, fmt.Sprintf("%s matches but ranks beyond %d.", s.ServiceID, explainDepth))
		}
	}
	return out
}
