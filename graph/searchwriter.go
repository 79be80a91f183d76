package graph

import (
	"context"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// A search's answer is a list of services, and gqlgen's executor spent on
// it about as much CPU as the search engine: a goroutine for every hit,
// and for every hit's service another for its name (a resolver), each with
// a field context and a marshaller object per field. The search writer
// answers search as pageWriter answers localService (pagewriter.go): it
// runs the resolver's own code (Resolver.search) and writes the view as
// JSON itself, in gqlgen's field order and formats, for the selections it
// covers (searchFields); anything else goes to gqlgen.
// TestSearchWriterAnswersAsGqlgen compares both byte for byte.

// searchFields are the types a search answer has beyond the service page's
// (pageFields), with the fields the writer covers. Service's are those
// whose value the writer gets as its resolver does; its modules,
// implementationBundles, lifeSituations and terms (batch resolvers,
// arguments) are left to gqlgen.
var searchFields = map[string]map[string]string{
	"SearchResult": {"totalCount": "", "language": "", "hits": "SearchHit", "facets": "Facet", "didYouMean": "",
		"pageInfo": "PageInfo", "peers": "PeerSearchStatus", "queryId": "", "notice": ""},
	"SearchHit": {"score": "", "origin": "", "highlights": "Highlight", "service": "Service",
		"responsibleOffices": "ResponsibleOffice", "languageFallback": ""},
	"Highlight":        {"field": "", "fragments": ""},
	"Facet":            {"name": "", "values": "FacetValue"},
	"FacetValue":       {"value": "", "label": "", "count": ""},
	"PageInfo":         {"hasNextPage": "", "hasPreviousPage": "", "startCursor": "", "endCursor": ""},
	"PeerSearchStatus": {"peer": "", "status": "", "hits": "", "error": "", "tookMs": ""},
	"Service": {"id": "", "leikaKeys": "", "status": "", "name": "", "formalName": "LocalizedText",
		"shortText": "LocalizedText", "fullText": "LocalizedText", "fees": "Fee", "deadlines": "Deadline",
		"processingTime": "ProcessingTime", "typisation": "", "addressees": "", "categories": "", "keywords": "",
		"validFrom": "", "validTo": "", "origin": "", "revision": "", "version": "", "updatedAt": "",
		"localization": "Localization"},
}

func init() {
	for typ, fields := range searchFields {
		if _, ok := pageFields[typ]; ok {
			panic("graph: " + typ + " is in pageFields and searchFields")
		}
		pageFields[typ] = fields
	}
}

// searchOutcome is a search the writer ran and then left to gqlgen (a
// selection it could not write exactly, a resolver error, a panic): the
// resolver answers with it instead of searching again, so that the search
// runs, and is logged, once.
type searchOutcome struct {
	done bool
	view *SearchResultView
	err  error
}

type searchOutcomeKey struct{}

// search answers the root field search when the writer covers its
// selection. Arguments are parsed by gqlgen's own generated code; one that
// does not parse goes to gqlgen, which reports it.
func (p fastRoot) search(ctx context.Context, rfc *graphql.RootFieldContext, oc *graphql.OperationContext, next graphql.RootResolver) (res graphql.Marshaler) {
	var need viewNeeds
	if oc.Doc == nil || !pageSupported(oc.Doc.Fragments, rfc.Field.Selections, "SearchResult", 0, &need) {
		return next(ctx)
	}
	args, err := newExecutionContext(oc, p.schema, nil).field_Query_search_args(ctx, rfc.Field.ArgumentMap(oc.Variables))
	if err != nil {
		return next(ctx)
	}
	a := searchArgs{query: args["query"].(string), ars: args["ars"].(*string), lang: args["lang"].(*Lang),
		filter: args["filter"].(*SearchFilter), first: args["first"].(*int), after: args["after"].(*string),
		scope: args["scope"].(*SearchScope)}
	outcome := &searchOutcome{}
	ctx = context.WithValue(ctx, searchOutcomeKey{}, outcome)
	defer func() {
		if recover() != nil {
			res = next(ctx) // gqlgen reports it where it belongs (searching again if the search itself panicked)
		}
	}()
	sel := rfc.Field.Selections
	// What the resolver asks with selected(ctx, ...), asked of the root
	// field's selection (gqlgen caches CollectFields per operation).
	highlights, facets, offices := selects(oc, sel, []string{"hits", "highlights"}), selects(oc, sel, []string{"facets"}),
		selects(oc, sel, []string{"hits", "responsibleOffices"})
	outcome.view, outcome.err = p.r.search(ctx, a, highlights, facets, offices)
	outcome.done = true
	if outcome.err != nil {
		return next(ctx)
	}
	w := searchWriter{pageWriter: pageWriter{oc: oc, buf: make([]byte, 0, 4<<10)}, ctx: ctx, choice: langOf(ctx)}
	w.searchResult(sel, outcome.view)
	if w.invalid {
		return next(ctx)
	}
	return rawJSON(w.buf)
}

// searchWriter is pageWriter with the request's language, which the
// Service's resolvers read from the context.
type searchWriter struct {
	pageWriter
	ctx    context.Context
	choice i18n.Choice
}

var (
	searchResultTypes = []string{"SearchResult"}
	searchHitTypes    = []string{"SearchHit"}
	highlightTypes    = []string{"Highlight"}
	facetTypes        = []string{"Facet"}
	facetValueTypes   = []string{"FacetValue"}
	pageInfoTypes     = []string{"PageInfo"}
	peerStatusTypes   = []string{"PeerSearchStatus"}
	serviceTypes      = []string{"Service"}
)

func (w *searchWriter) searchResult(sel ast.SelectionSet, v *SearchResultView) {
	object(&w.pageWriter, sel, v, true, searchResultTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "totalCount":
			w.integer(v.TotalCount)
		case "language":
			w.lang(v.Language)
		case "hits":
			list(&w.pageWriter, v.Hits, func(h *SearchHitView) { w.searchHit(f.Selections, h) })
		case "facets":
			list(&w.pageWriter, v.Facets, func(fc *FacetView) { w.facet(f.Selections, fc) })
		case "didYouMean":
			w.optStr(v.DidYouMean)
		case "pageInfo":
			w.pageInfo(f.Selections, v.PageInfo)
		case "peers":
			list(&w.pageWriter, v.Peers, func(p *PeerSearchView) { w.peer(f.Selections, p) })
		case "queryId":
			w.optStr(v.QueryID)
		case "notice":
			if v.Notice == nil {
				w.null(false)
			} else {
				w.buf = strconv.AppendQuote(w.buf, v.Notice.String()) // SearchNotice.MarshalGQL
			}
		default:
			w.unknown()
		}
	})
}

func (w *searchWriter) searchHit(sel ast.SelectionSet, h *SearchHitView) {
	object(&w.pageWriter, sel, h, true, searchHitTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "score":
			w.float(h.Score)
		case "origin":
			w.str(h.Origin)
		case "highlights":
			list(&w.pageWriter, h.Highlights, func(hl *HighlightView) { w.highlight(f.Selections, hl) })
		case "service":
			w.service(f.Selections, h.Service, h.names)
		case "responsibleOffices":
			list(&w.pageWriter, h.ResponsibleOffices, func(o *ResponsibleOfficeView) { w.responsibleOffice(f.Selections, o) })
		case "languageFallback":
			w.boolean(h.LanguageFallback)
		default:
			w.unknown()
		}
	})
}

// float is graphql.MarshalFloatContext: %g, which is strconv's shortest
// 'g' form; gqlgen answers an infinite or NaN value with an error.
func (w *searchWriter) float(f float64) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		w.null(true)
		return
	}
	w.buf = strconv.AppendFloat(w.buf, f, 'g', -1, 64)
}

func (w *searchWriter) highlight(sel ast.SelectionSet, h *HighlightView) {
	object(&w.pageWriter, sel, h, true, highlightTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "field":
			w.str(h.Field)
		case "fragments":
			w.strList(h.Fragments)
		default:
			w.unknown()
		}
	})
}

func (w *searchWriter) facet(sel ast.SelectionSet, fc *FacetView) {
	object(&w.pageWriter, sel, fc, true, facetTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "name":
			w.str(fc.Name)
		case "values":
			list(&w.pageWriter, fc.Values, func(v *FacetValueView) { w.facetValue(f.Selections, v) })
		default:
			w.unknown()
		}
	})
}

func (w *searchWriter) facetValue(sel ast.SelectionSet, v *FacetValueView) {
	object(&w.pageWriter, sel, v, true, facetValueTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "value":
			w.str(v.Value)
		case "label":
			w.str(v.Label)
		case "count":
			w.integer(v.Count)
		default:
			w.unknown()
		}
	})
}

func (w *searchWriter) pageInfo(sel ast.SelectionSet, p *PageInfo) {
	object(&w.pageWriter, sel, p, true, pageInfoTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "hasNextPage":
			w.boolean(p.HasNextPage)
		case "hasPreviousPage":
			w.boolean(p.HasPreviousPage)
		case "startCursor":
			w.optStr(p.StartCursor)
		case "endCursor":
			w.optStr(p.EndCursor)
		default:
			w.unknown()
		}
	})
}

func (w *searchWriter) peer(sel ast.SelectionSet, p *PeerSearchView) {
	object(&w.pageWriter, sel, p, true, peerStatusTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "peer":
			w.str(p.Peer)
		case "status":
			w.str(p.Status)
		case "hits":
			w.integer(p.Hits)
		case "error":
			w.optStr(p.Error)
		case "tookMs":
			w.integer(p.TookMs)
		default:
			w.unknown()
		}
	})
}

// service writes a Service's fields with the values its resolvers
// (services.resolvers.go) give, in the request's language; names, when
// not nil, are its names (hitServices).
func (w *searchWriter) service(sel ast.SelectionSet, s *catalog.Service, names *hitNames) {
	object(&w.pageWriter, sel, s, true, serviceTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "id":
			w.str(s.ID)
		case "leikaKeys":
			w.strList(s.LeikaKeys)
		case "status":
			w.str(string(s.Status))
		case "name":
			if n, ok := names.name(w.choice.Lang); ok {
				w.str(n)
				return
			}
			v, _, _ := s.Name().Pick(w.choice.Lang) // plain
			w.str(v.Value)
		case "formalName":
			w.localized(f.Selections, localize(w.ctx, s.Texts[catalog.ModuleName]), true)
		case "shortText":
			w.localized(f.Selections, localize(w.ctx, s.Texts[catalog.ModuleShortText]), false)
		case "fullText":
			w.localized(f.Selections, localize(w.ctx, s.Texts[catalog.ModuleFullText]), false)
		case "fees":
			list(&w.pageWriter, feeViews(w.ctx, s.Fees), func(fee *FeeView) { w.fee(f.Selections, fee) })
		case "deadlines":
			list(&w.pageWriter, deadlineViews(w.ctx, s.Deadlines), func(d *DeadlineView) { w.deadline(f.Selections, d) })
		case "processingTime":
			w.processingTime(f.Selections, processingView(w.ctx, s.Processing))
		case "typisation":
			w.strList(s.Typisation)
		case "addressees":
			list(&w.pageWriter, s.Addressees, func(a catalog.Addressee) { w.str(string(a)) })
		case "categories":
			w.strList(s.Categories)
		case "keywords":
			w.strList(s.Keywords[w.choice.Lang])
		case "validFrom":
			w.optTime(s.Validity.From)
		case "validTo":
			w.optTime(s.Validity.To)
		case "origin":
			w.str(s.Origin)
		case "revision":
			w.buf = strconv.AppendUint(w.buf, s.Revision, 10)
		case "version":
			w.integer(s.Version)
		case "updatedAt":
			if s.UpdatedAt.IsZero() {
				w.null(true)
			} else {
				w.optTime(&s.UpdatedAt)
			}
		case "localization":
			w.localization(f.Selections, localization(w.ctx, serviceTexts(s)...))
		default:
			w.unknown()
		}
	})
}
