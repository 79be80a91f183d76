package graph

import (
	"context"
	"sort"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/search"
)

// Search answers are filled in one pass, like the service page (views.go):
// the index gives IDs, the store gives the current texts, and with a place
// the lookup gives each hit's responsible office, all in one read.

type SearchResultView struct {
	TotalCount int
	Language   Lang
	Hits       []*SearchHitView
	Facets     []*FacetView
	DidYouMean *string
	PageInfo   *PageInfo
	Peers      []*PeerSearchView
	QueryID    *string
	Notice     *SearchNotice
}

type PeerSearchView struct {
	Peer   string
	Status string
	Hits   int
	Error  *string
	TookMs int
}

type SearchHitView struct {
	Score              float64
	Origin             string
	Highlights         []*HighlightView
	Service            *catalog.Service
	ResponsibleOffices []*ResponsibleOfficeView
	LanguageFallback   bool
	// names are the service's names for the search writer; nil where
	// the view was not filled by searchView.
	names *hitNames
}

type HighlightView struct {
	Field     string
	Fragments []string
}

type FacetView struct {
	Name   string
	Values []*FacetValueView
}

type FacetValueView struct {
	Value string
	Label string
	Count int
}

type SuggestionView struct {
	Text    string
	Service *catalog.Service
}

// searchArgs are the search field's arguments.
type searchArgs struct {
	query      string
	ars, after *string
	lang       *Lang
	filter     *SearchFilter
	first      *int
	scope      *SearchScope
}

// search runs a search and fills its answer: the resolver's work, shared
// with the search writer (searchwriter.go). highlights, facets and offices
// tell whether the client selected hits.highlights, facets and
// hits.responsibleOffices: what it did not select is not computed.
func (r *Resolver) search(ctx context.Context, a searchArgs, highlights, facets, offices bool) (*SearchResultView, error) {
	if r.Index == nil {
		return nil, catalog.Errorf(catalog.EINTERNAL, "search is not available")
	}
	federated := a.scope != nil && *a.scope == SearchScopeFederated
	req := search.Request{Query: a.query, ARS: deref(a.ars), Lang: langCode(a.lang), Filter: searchFilter(a.filter), After: deref(a.after),
		SkipHighlights: !federated && !highlights, SkipFacets: !federated && !facets, SkipStoredFields: !federated}
	if a.first != nil {
		req.First = *a.first
	}
	res, err := r.Index.Search(ctx, req)
	if err != nil {
		return nil, err
	}
	var queryID string
	if r.QueryLog != nil && req.After == "" {
		// Only the first page counts as a search; the log keeps no
		// more than the normalised query and its counts (QueryLog).
		queryID = r.QueryLog.Record(a.query, res.Total)
		if l, ok := ctx.Value(searchesKey{}).(*searchesLogged); ok {
			l.add(a.query, res.Total)
		}
	}
	var v *SearchResultView
	if federated {
		v, err = r.federatedSearch(ctx, a.query, res, deref(a.ars), req.First)
	} else {
		v, err = r.searchView(ctx, res, deref(a.ars), offices)
	}
	if err == nil && queryID != "" {
		v.QueryID = &queryID
	}
	return v, err
}

func searchFilter(f *SearchFilter) search.Filter {
	if f == nil {
		return search.Filter{}
	}
	out := search.Filter{Categories: f.Categories, BundleIDs: f.ImplementationBundles, HasOnline: f.HasOnlineService,
		LifeSituationIDs: f.LifeSituations}
	for _, a := range f.Addressees {
		out.Addressees = append(out.Addressees, string(a))
	}
	return out
}

// searchView fills the answer; the responsible offices of the hits only
// when offices is set (the client asked for them).
func (r *Resolver) searchView(ctx context.Context, res *search.Result, ars string, offices bool) (*SearchResultView, error) {
	noteSearchTotal(ctx, res.Total)
	v := &SearchResultView{TotalCount: res.Total, Language: langEnum(res.Lang), Hits: []*SearchHitView{},
		Facets: []*FacetView{}, DidYouMean: optString(res.DidYouMean), Peers: []*PeerSearchView{},
		PageInfo: &PageInfo{HasNextPage: res.HasNextPage, EndCursor: optString(res.EndCursor)}}
	if res.Notice != "" {
		n := SearchNotice(res.Notice)
		v.Notice = &n
	}
	err := r.Store.ViewShared(ctx, func(tx *catalog.Tx) error {
		rev := tx.Revision()
		known := make([]hitService, len(res.Hits))
		r.hits.lookup(rev, res.Hits, known)
		views := make([]SearchHitView, len(res.Hits)) // one allocation for the page's hits
		v.Hits = make([]*SearchHitView, 0, len(res.Hits))
		var readIDs []string
		var read []hitService
		for i, h := range res.Hits {
			hs := known[i]
			if hs.svc == nil {
				svc, err := tx.Service(h.ServiceID)
				if catalog.ErrorCode(err) == catalog.ENOTFOUND {
					continue // deleted since the index saw it
				}
				if err != nil {
					return err
				}
				hs = newHitService(svc)
				readIDs, read = append(readIDs, h.ServiceID), append(read, hs)
			}
			svc := hs.svc
			hv := &views[i]
			*hv = SearchHitView{Score: h.Score, Service: svc, Origin: svc.Origin, Highlights: []*HighlightView{},
				ResponsibleOffices: []*ResponsibleOfficeView{}, LanguageFallback: !hs.named(res.Lang), names: hs.names}
			fields := make([]string, 0, len(h.Highlights))
			for f := range h.Highlights {
				fields = append(fields, f)
			}
			sort.Strings(fields)
			for _, f := range fields {
				hv.Highlights = append(hv.Highlights, &HighlightView{Field: f, Fragments: h.Highlights[f]})
			}
			if offices && ars != "" && len(svc.LeikaKeys) > 0 {
				ls, err := tx.LocalService(svc.LeikaKeys[0], ars, tx.Now())
				switch {
				case err == nil:
					hv.ResponsibleOffices = responsibleOfficeViews(ctx, ls.Offices, needAll)
				case catalog.ErrorCode(err) != catalog.ENOTFOUND:
					return err // NOT_FOUND: no office is responsible there
				}
			}
			v.Hits = append(v.Hits, hv)
		}
		r.hits.add(rev, readIDs, read)
		return nil
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(res.Facets))
	for n := range res.Facets {
		names = append(names, n)
	}
	sort.Strings(names)
	var bundles []*catalog.Bundle
	if len(names) > 0 {
		if bundles, err = r.bundles(ctx); err != nil {
			return nil, err
		}
	}
	var situations []*catalog.LifeSituation
	if len(res.Facets[search.FacetLifeSituation]) > 0 {
		if situations, err = r.lifeSituations(ctx); err != nil {
			return nil, err
		}
	}
	for _, n := range names {
		f := &FacetView{Name: n, Values: []*FacetValueView{}}
		for _, fv := range res.Facets[n] {
			f.Values = append(f.Values, &FacetValueView{Value: fv.Value, Label: facetLabel(ctx, n, fv.Value, bundles, situations), Count: fv.Count})
		}
		v.Facets = append(v.Facets, f)
	}
	return v, nil
}

func facetLabel(ctx context.Context, facet, value string, bundles []*catalog.Bundle, situations []*catalog.LifeSituation) string {
	switch facet {
	case search.FacetLifeSituation:
		for _, l := range situations {
			if l.ID == value {
				return plain(ctx, l.Name)
			}
		}
	case search.FacetAddressee:
		return label(ctx, "addressee."+value)
	case search.FacetBundle:
		for _, b := range bundles {
			if b.ID == value {
				return plain(ctx, b.Name)
			}
		}
	case search.FacetHasOnline:
		if value == "true" {
			return label(ctx, "search.online")
		}
		return label(ctx, "search.offline")
	}
	return value
}

// federatedSearch merges the local answer with the peers' live answers by
// reciprocal-rank fusion, one hit per LeiKa key, the most local authority
// for the place first (federation.Merge). A peer's hit is shown with the
// description this portal has for its key (own or mirrored); hits for keys
// unknown here are left out and counted in the peer's status.
func (r *Resolver) federatedSearch(ctx context.Context, query string, res *search.Result, ars string, first int) (*SearchResultView, error) {
	local := make([]federation.Hit, 0, len(res.Hits))
	err := r.Store.ViewShared(ctx, func(tx *catalog.Tx) error {
		for _, h := range res.Hits {
			svc, err := tx.Service(h.ServiceID)
			switch {
			case catalog.ErrorCode(err) == catalog.ENOTFOUND:
				continue // deleted since the index answered
			case err != nil:
				return err
			}
			key := ""
			if len(svc.LeikaKeys) > 0 {
				key = svc.LeikaKeys[0]
			}
			local = append(local, federation.Hit{Origin: svc.Origin, LeikaKey: key, ServiceID: svc.ID, Score: h.Score, RegionKey: svc.RegionKey})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var peers []federation.PeerResult
	if r.FanOut != nil {
		peers = r.FanOut.Search(ctx, federation.SearchQuery{Query: query, ARS: ars, First: max(first, 10)})
	}
	merged := federation.Merge(local, peers, ars)
	byID := map[string]search.Hit{}
	for _, h := range res.Hits {
		byID[h.ServiceID] = h
	}
	combined := &search.Result{Total: len(merged), Lang: res.Lang, Facets: res.Facets, DidYouMean: res.DidYouMean}
	err = r.Store.ViewShared(ctx, func(tx *catalog.Tx) error {
		for _, m := range merged {
			if h, ok := byID[m.ServiceID]; ok {
				h.Score = m.Score
				combined.Hits = append(combined.Hits, h)
				continue
			}
			svc, err := tx.ServiceForPlace(m.LeikaKey, placeOrHome(ars, r.Store.Home()), tx.Now())
			switch code := catalog.ErrorCode(err); {
			case code == catalog.ENOTFOUND || code == catalog.EINVALID:
				continue // a peer's key this portal has no description for, or a malformed one
			case err != nil:
				return err
			}
			combined.Hits = append(combined.Hits, search.Hit{ServiceID: svc.ID, LeikaKeys: svc.LeikaKeys, Score: m.Score})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if first > 0 && len(combined.Hits) > first {
		combined.Hits = combined.Hits[:first]
		combined.HasNextPage = true
	}
	v, err := r.searchView(ctx, combined, ars, true)
	if err != nil {
		return nil, err
	}
	for _, p := range peers {
		v.Peers = append(v.Peers, &PeerSearchView{Peer: p.Peer, Status: p.Status, Hits: len(p.Hits), Error: optString(p.Err),
			TookMs: int(p.Took.Milliseconds())})
	}
	return v, nil
}

func placeOrHome(ars, home string) string {
	if ars != "" {
		return ars
	}
	return home
}

// hasName reports whether a service has a name in lang: an English query
// that found a German-only service is a fallback.
func hasName(s *catalog.Service, lang string) bool {
	return s.Texts[catalog.ModuleName][lang].Value != "" || s.Texts[catalog.ModuleCitizenName][lang].Value != ""
}
