package graph

import (
	"context"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// The service page for a place (localService) is the API's busiest
// uncached answer. Its types are plain view models (views.go) without a
// resolver below the root field, yet gqlgen's executor spends on each of
// their fields what it spends on a resolver: a field context, a context
// value, closures and a marshaller object, and a goroutine for every
// element of every list of objects, whose stack then grows while it
// marshals. For the page of bench (7 KB, about 150 fields) that was two
// thirds of the request's CPU.
//
// pageWriter writes such an answer's JSON directly from the view, field by
// field in the order gqlgen collects them (graphql.CollectFields: aliases,
// fragments, @skip and @include), with gqlgen's own formatting of every
// scalar, so the bytes are gqlgen's (TestPageWriterAnswersAsGqlgen
// compares both over every field). It covers only what it can write
// exactly as gqlgen would; anything else goes to gqlgen (see
// fastRoot).

// pageFields lists, for each type the writer covers, the fields it writes
// and their type ("" for a scalar or a list of scalars); the search
// writer's types are added from searchFields. A selection of any
// other field (the Service, Office or OnlineService behind a view, a
// region's parent, levelLabel, terms) is left to gqlgen.
var pageFields = map[string]map[string]string{
	"LocalService": {"region": "Region", "name": "", "texts": "LocalText", "text": "LocalText", "fees": "Fee",
		"deadlines": "Deadline", "processingTime": "ProcessingTime", "responsibleOffices": "ResponsibleOffice",
		"onlineServices": "ResponsibleOnlineService", "localization": "Localization"},
	"LocalText": {"code": "", "label": "", "text": "LocalizedText", "central": "LocalizedText", "additions": "Addition", "isSpecialised": ""},
	"Addition":  {"id": "", "mode": "", "text": "LocalizedText", "from": "Region"},
	"Fee": {"kind": "", "label": "", "amountCents": "", "minCents": "", "maxCents": "", "formatted": "",
		"description": "LocalizedText", "prepayment": "", "url": ""},
	"Duration":       {"value": "", "valueTo": "", "unit": "", "formatted": ""},
	"Deadline":       {"kind": "", "label": "", "duration": "Duration", "from": "", "to": "", "description": "LocalizedText"},
	"ProcessingTime": {"duration": "Duration", "description": "LocalizedText"},
	"ResponsibleOffice": {"id": "", "name": "", "kind": "", "address": "Address", "addresses": "Address", "openingHours": "",
		"openingHoursSlots": "OpeningSlot", "openingHoursNotes": "LocalizedText", "channels": "Channel", "contacts": "Contact",
		"accessibility": "LocalizedText", "role": "", "inheritedFrom": "Region", "inherited": ""},
	"ResponsibleOnlineService": {"id": "", "title": "", "links": "Link", "trustLevel": "", "inheritedFrom": "Region", "inherited": ""},
	"Address":                  {"kind": "", "label": "", "street": "", "poBox": "", "postalCode": "", "city": "", "ars": ""},
	"OpeningSlot":              {"day": "", "dayLabel": "", "open": "", "close": ""},
	"Channel":                  {"kind": "", "label": "", "value": "", "note": "LocalizedText"},
	"Contact":                  {"name": "", "position": "LocalizedText", "room": "", "channels": "Channel"},
	"Link":                     {"url": "", "title": ""},
	"Localization":             {"requested": "", "language": "", "isFallback": ""},
	"LocalizedText":            {"text": "", "language": "", "isFallback": "", "machineTranslated": "", "stale": "", "translator": "", "sourceRevision": ""},
	"Region":                   {"ars": "", "name": "", "level": "", "type": "", "seat": "", "postalCodes": "", "population": ""},
}

// pageNeeds names the fields whose selection needs a part of the view
// built (viewNeeds); the view leaves out the parts nobody selects.
var pageNeeds = map[string]map[string]viewNeeds{
	"LocalService": {"texts": needTexts, "text": needTexts, "fees": needFees, "deadlines": needDeadlines,
		"processingTime": needProcessing, "responsibleOffices": needOffices, "onlineServices": needOnline},
	"ResponsibleOffice": {"addresses": needAddresses, "openingHours": needHours, "openingHoursSlots": needSlots,
		"channels": needChannels, "contacts": needContacts},
}

// pageSupported tells whether the writer covers every field a selection of
// typ can select, whatever the variables: it looks at every field of the
// document, including those @skip or @include may drop, and refuses any
// other directive (@defer), arguments where the writer expects none, and
// fragments on another type. It adds the parts of the view the selection
// reads to need.
func pageSupported(frags ast.FragmentDefinitionList, sel ast.SelectionSet, typ string, depth int, need *viewNeeds) bool {
	if depth > 32 {
		return false
	}
	fields, needs := pageFields[typ], pageNeeds[typ]
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if !onlySkipInclude(s.Directives) {
				return false
			}
			if s.Name == "__typename" {
				continue
			}
			child, ok := fields[s.Name]
			if !ok || (len(s.Arguments) > 0 && !(typ == "LocalService" && s.Name == "text")) {
				return false
			}
			*need |= needs[s.Name]
			if child != "" && !pageSupported(frags, s.SelectionSet, child, depth+1, need) {
				return false
			}
		case *ast.InlineFragment:
			if (s.TypeCondition != "" && s.TypeCondition != typ) || !onlySkipInclude(s.Directives) ||
				!pageSupported(frags, s.SelectionSet, typ, depth+1, need) {
				return false
			}
		case *ast.FragmentSpread:
			def := frags.ForName(s.Name)
			if def == nil || def.TypeCondition != typ || !onlySkipInclude(s.Directives) || !onlySkipInclude(def.Directives) ||
				!pageSupported(frags, def.SelectionSet, typ, depth+1, need) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func onlySkipInclude(ds ast.DirectiveList) bool {
	for _, d := range ds {
		if d.Name != "skip" && d.Name != "include" {
			return false
		}
	}
	return true
}

// fastRoot is the root field middleware that answers localService with
// pageWriter, and search with searchWriter (searchwriter.go), when the
// selection is one they cover. It runs innermost, after the language,
// rate and metrics middlewares.
type fastRoot struct {
	r      *Resolver
	schema *executableSchema // for gqlgen's own parsing of arguments
}

func (p fastRoot) rootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc == nil || len(rfc.Field.Deferrables) > 0 || !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	switch rfc.Field.Name {
	case "localService":
		return p.localService(ctx, rfc, oc, next)
	case "search":
		return p.search(ctx, rfc, oc, next)
	}
	return next(ctx)
}

// localService reads as gqlgen's resolver does, building only the parts
// of the view the selection reads. Whatever it does not write exactly as
// gqlgen would goes to gqlgen (next) instead: an argument it does not
// parse, a resolver error (gqlgen reports it with its path), a null where
// the schema forbids one (gqlgen reports that and nulls the parent), a
// panic.
func (p fastRoot) localService(ctx context.Context, rfc *graphql.RootFieldContext, oc *graphql.OperationContext, next graphql.RootResolver) (res graphql.Marshaler) {
	var need viewNeeds
	if oc.Doc == nil || !pageSupported(oc.Doc.Fragments, rfc.Field.Selections, "LocalService", 0, &need) {
		return next(ctx)
	}
	args := rfc.Field.ArgumentMap(oc.Variables)
	leika, err := graphql.UnmarshalString(args["leikaKey"])
	if err != nil {
		return next(ctx)
	}
	ars, err := graphql.UnmarshalString(args["ars"])
	if err != nil || args["at"] != nil {
		return next(ctx)
	}
	if l := args["lang"]; l != nil { // langRootMiddleware has applied it to ctx, as for gqlgen's resolver
		var lang Lang
		if err := lang.UnmarshalGQL(l); err != nil {
			return next(ctx)
		}
	}
	defer func() {
		if recover() != nil {
			res = next(ctx) // gqlgen reports it where it belongs, or answers what the writer could not
		}
	}()
	view, err := p.r.localService(ctx, leika, ars, nil, need)
	if err != nil {
		return next(ctx)
	}
	if view == nil {
		return graphql.Null
	}
	w := pageWriter{oc: oc, buf: make([]byte, 0, 4<<10)}
	w.localService(rfc.Field.Selections, view)
	if w.invalid {
		return next(ctx)
	}
	return rawJSON(w.buf)
}

// rawJSON is JSON written already.
type rawJSON []byte

func (r rawJSON) MarshalGQL(w io.Writer) { w.Write(r) }

// pageWriter writes view models as gqlgen marshals them.
type pageWriter struct {
	oc  *graphql.OperationContext
	buf []byte
	// invalid is set where gqlgen would answer with an error: a null in a
	// non-null field, an argument that does not parse.
	invalid bool
	// collected keeps what CollectFields returned for each selection set,
	// which is the same for every element of a list (20 search hits).
	collected []collectedSet
}

type collectedSet struct {
	sel    *ast.Selection // the set's first selection: identifies it
	n      int
	typ    string
	fields []graphql.CollectedField
}

// collect is graphql.CollectFields, once per selection set and type.
func (w *pageWriter) collect(sel ast.SelectionSet, types []string) []graphql.CollectedField {
	if len(sel) == 0 {
		return graphql.CollectFields(w.oc, sel, types)
	}
	for _, c := range w.collected {
		if c.sel == &sel[0] && c.n == len(sel) && c.typ == types[0] {
			return c.fields
		}
	}
	fields := graphql.CollectFields(w.oc, sel, types)
	w.collected = append(w.collected, collectedSet{sel: &sel[0], n: len(sel), typ: types[0], fields: fields})
	return fields
}

// The type lists CollectFields takes, one per type, allocated once.
var (
	localServiceTypes = []string{"LocalService"}
	localTextTypes    = []string{"LocalText"}
	additionTypes     = []string{"Addition"}
	feeTypes          = []string{"Fee"}
	durationTypes     = []string{"Duration"}
	deadlineTypes     = []string{"Deadline"}
	processingTypes   = []string{"ProcessingTime"}
	officeViewTypes   = []string{"ResponsibleOffice"}
	onlineViewTypes   = []string{"ResponsibleOnlineService"}
	addressTypes      = []string{"Address"}
	slotTypes         = []string{"OpeningSlot"}
	channelTypes      = []string{"Channel"}
	contactTypes      = []string{"Contact"}
	linkTypes         = []string{"Link"}
	localizationTypes = []string{"Localization"}
	localizedTypes    = []string{"LocalizedText"}
	regionTypes       = []string{"Region"}
)

// object writes one object: {"alias":value,...} in collected order,
// __typename included, where value writes the value of every other field;
// null for a nil v (an error where the field is required).
func object[T any](w *pageWriter, sel ast.SelectionSet, v *T, required bool, types []string, value func(f *graphql.CollectedField)) {
	if v == nil {
		w.null(required)
		return
	}
	w.buf = append(w.buf, '{')
	fields := w.collect(sel, types)
	for i := range fields {
		f := &fields[i] // not a copy, whose address would escape to the heap
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendGQLString(w.buf, f.Alias)
		w.buf = append(w.buf, ':')
		if f.Name == "__typename" {
			w.buf = appendGQLString(w.buf, types[0])
			continue
		}
		value(f)
	}
	w.buf = append(w.buf, '}')
}

// null writes null; in a non-null field gqlgen would answer with an error.
func (w *pageWriter) null(required bool) {
	w.buf = append(w.buf, "null"...)
	if required {
		w.invalid = true
	}
}

func (w *pageWriter) unknown() { w.null(true) } // not reached: pageSupported refused the selection

func (w *pageWriter) str(s string) { w.buf = appendGQLString(w.buf, s) }

func (w *pageWriter) optStr(s *string) {
	if s == nil {
		w.null(false)
		return
	}
	w.str(*s)
}

func (w *pageWriter) boolean(b bool) { w.buf = strconv.AppendBool(w.buf, b) }

func (w *pageWriter) integer(n int) { w.buf = strconv.AppendInt(w.buf, int64(n), 10) }

func (w *pageWriter) optInt(n *int) {
	if n == nil {
		w.null(false)
		return
	}
	w.integer(*n)
}

// optTime is graphql.MarshalTime: RFC 3339 with nanoseconds, quoted by
// strconv.Quote; the zero time is null.
func (w *pageWriter) optTime(t *time.Time) {
	if t == nil || t.IsZero() {
		w.null(false)
		return
	}
	w.buf = strconv.AppendQuote(w.buf, t.Format(time.RFC3339Nano))
}

func (w *pageWriter) lang(l Lang) { w.buf = strconv.AppendQuote(w.buf, l.String()) } // Lang.MarshalGQL

// list writes a list of objects; gqlgen writes a nil list as [].
func list[T any](w *pageWriter, items []T, each func(T)) {
	w.buf = append(w.buf, '[')
	for i, it := range items {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		each(it)
	}
	w.buf = append(w.buf, ']')
}

func (w *pageWriter) strList(ss []string) { list(w, ss, w.str) }

func (w *pageWriter) localService(sel ast.SelectionSet, v *LocalServiceView) {
	object(w, sel, v, true, localServiceTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "region":
			w.region(f.Selections, v.Region, true)
		case "name":
			w.str(v.Name)
		case "texts":
			list(w, v.Texts, func(t *LocalTextView) { w.localText(f.Selections, t, true) })
		case "text":
			module, err := graphql.UnmarshalString(f.ArgumentMap(w.oc.Variables)["module"])
			if err != nil {
				w.null(true)
				return
			}
			w.localText(f.Selections, v.Text(module), false)
		case "fees":
			list(w, v.Fees, func(fee *FeeView) { w.fee(f.Selections, fee) })
		case "deadlines":
			list(w, v.Deadlines, func(d *DeadlineView) { w.deadline(f.Selections, d) })
		case "processingTime":
			w.processingTime(f.Selections, v.ProcessingTime)
		case "responsibleOffices":
			list(w, v.ResponsibleOffices, func(o *ResponsibleOfficeView) { w.responsibleOffice(f.Selections, o) })
		case "onlineServices":
			list(w, v.OnlineServices, func(o *ResponsibleOnlineServiceView) { w.responsibleOnlineService(f.Selections, o) })
		case "localization":
			w.localization(f.Selections, v.Localization)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) localText(sel ast.SelectionSet, t *LocalTextView, required bool) {
	object(w, sel, t, required, localTextTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "code":
			w.str(t.Code)
		case "label":
			w.str(t.Label)
		case "text":
			w.localized(f.Selections, t.Text, true)
		case "central":
			w.localized(f.Selections, t.Central, false)
		case "additions":
			list(w, t.Additions, func(a *AdditionView) { w.addition(f.Selections, a) })
		case "isSpecialised":
			w.boolean(t.IsSpecialised)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) addition(sel ast.SelectionSet, a *AdditionView) {
	object(w, sel, a, true, additionTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "id":
			w.str(a.ID)
		case "mode":
			w.str(string(a.Mode))
		case "text":
			w.localized(f.Selections, a.Text, true)
		case "from":
			w.region(f.Selections, a.From, true)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) fee(sel ast.SelectionSet, fee *FeeView) {
	object(w, sel, fee, true, feeTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "kind":
			w.str(string(fee.Kind))
		case "label":
			w.str(fee.Label)
		case "amountCents":
			w.optInt(fee.AmountCents)
		case "minCents":
			w.optInt(fee.MinCents)
		case "maxCents":
			w.optInt(fee.MaxCents)
		case "formatted":
			w.str(fee.Formatted)
		case "description":
			w.localized(f.Selections, fee.Description, false)
		case "prepayment":
			w.boolean(fee.Prepayment)
		case "url":
			w.optStr(fee.URL)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) duration(sel ast.SelectionSet, d *DurationView) {
	object(w, sel, d, false, durationTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "value":
			w.integer(d.Value)
		case "valueTo":
			w.optInt(d.ValueTo)
		case "unit":
			w.str(string(d.Unit))
		case "formatted":
			w.str(d.Formatted)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) deadline(sel ast.SelectionSet, d *DeadlineView) {
	object(w, sel, d, true, deadlineTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "kind":
			w.str(string(d.Kind))
		case "label":
			w.str(d.Label)
		case "duration":
			w.duration(f.Selections, d.Duration)
		case "from":
			w.optTime(d.From)
		case "to":
			w.optTime(d.To)
		case "description":
			w.localized(f.Selections, d.Description, false)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) processingTime(sel ast.SelectionSet, p *ProcessingTimeView) {
	object(w, sel, p, false, processingTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "duration":
			w.duration(f.Selections, p.Duration)
		case "description":
			w.localized(f.Selections, p.Description, false)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) responsibleOffice(sel ast.SelectionSet, o *ResponsibleOfficeView) {
	object(w, sel, o, true, officeViewTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "id":
			w.str(o.ID)
		case "name":
			w.str(o.Name)
		case "kind":
			w.str(string(o.Kind))
		case "address":
			w.address(f.Selections, o.Address, false)
		case "addresses":
			list(w, o.Addresses, func(a *AddressView) { w.address(f.Selections, a, true) })
		case "openingHours":
			w.strList(o.OpeningHours)
		case "openingHoursSlots":
			list(w, o.OpeningHoursSlots, func(s *SlotView) { w.slot(f.Selections, s) })
		case "openingHoursNotes":
			w.localized(f.Selections, o.OpeningHoursNotes, false)
		case "channels":
			list(w, o.Channels, func(c *ChannelView) { w.channel(f.Selections, c) })
		case "contacts":
			list(w, o.Contacts, func(c *ContactView) { w.contact(f.Selections, c) })
		case "accessibility":
			w.localized(f.Selections, o.Accessibility, false)
		case "role":
			w.str(string(o.Role))
		case "inheritedFrom":
			w.region(f.Selections, o.InheritedFrom, true)
		case "inherited":
			w.boolean(o.Inherited)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) responsibleOnlineService(sel ast.SelectionSet, o *ResponsibleOnlineServiceView) {
	object(w, sel, o, true, onlineViewTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "id":
			w.str(o.ID)
		case "title":
			w.str(o.Title)
		case "links":
			list(w, o.Links, func(l *LinkView) { w.link(f.Selections, l) })
		case "trustLevel":
			if o.TrustLevel == nil {
				w.null(false)
			} else {
				w.str(string(*o.TrustLevel))
			}
		case "inheritedFrom":
			w.region(f.Selections, o.InheritedFrom, true)
		case "inherited":
			w.boolean(o.Inherited)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) address(sel ast.SelectionSet, a *AddressView, required bool) {
	object(w, sel, a, required, addressTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "kind":
			w.str(string(a.Kind))
		case "label":
			w.str(a.Label)
		case "street":
			w.optStr(a.Street)
		case "poBox":
			w.optStr(a.PoBox)
		case "postalCode":
			w.str(a.PostalCode)
		case "city":
			w.str(a.City)
		case "ars":
			w.optStr(a.Ars)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) slot(sel ast.SelectionSet, s *SlotView) {
	object(w, sel, s, true, slotTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "day":
			w.str(string(s.Day))
		case "dayLabel":
			w.str(s.DayLabel)
		case "open":
			w.str(s.Open)
		case "close":
			w.str(s.Close)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) channel(sel ast.SelectionSet, c *ChannelView) {
	object(w, sel, c, true, channelTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "kind":
			w.str(string(c.Kind))
		case "label":
			w.str(c.Label)
		case "value":
			w.str(c.Value)
		case "note":
			w.localized(f.Selections, c.Note, false)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) contact(sel ast.SelectionSet, c *ContactView) {
	object(w, sel, c, true, contactTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "name":
			w.str(c.Name)
		case "position":
			w.localized(f.Selections, c.Position, false)
		case "room":
			w.optStr(c.Room)
		case "channels":
			list(w, c.Channels, func(ch *ChannelView) { w.channel(f.Selections, ch) })
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) link(sel ast.SelectionSet, l *LinkView) {
	object(w, sel, l, true, linkTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "url":
			w.str(l.URL)
		case "title":
			w.optStr(l.Title)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) localization(sel ast.SelectionSet, l *Localization) {
	object(w, sel, l, true, localizationTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "requested":
			w.lang(l.Requested)
		case "language":
			w.lang(l.Language)
		case "isFallback":
			w.boolean(l.IsFallback)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) localized(sel ast.SelectionSet, t *LocalizedText, required bool) {
	object(w, sel, t, required, localizedTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "text":
			w.str(t.Text)
		case "language":
			w.lang(t.Language)
		case "isFallback":
			w.boolean(t.IsFallback)
		case "machineTranslated":
			w.boolean(t.MachineTranslated)
		case "stale":
			w.boolean(t.Stale)
		case "translator":
			w.optStr(t.Translator)
		case "sourceRevision":
			w.optInt(t.SourceRevision)
		default:
			w.unknown()
		}
	})
}

func (w *pageWriter) region(sel ast.SelectionSet, r *catalog.Region, required bool) {
	object(w, sel, r, required, regionTypes, func(f *graphql.CollectedField) {
		switch f.Name {
		case "ars":
			w.str(r.ARS())
		case "name":
			w.str(r.Name)
		case "level":
			w.str(string(r.Level))
		case "type":
			w.str(r.Type)
		case "seat":
			w.str(r.Seat)
		case "postalCodes":
			w.strList(r.PostalCodes)
		case "population":
			w.integer(r.Population)
		default:
			w.unknown()
		}
	})
}

// appendGQLString appends s quoted as gqlgen writes strings
// (graphql.MarshalString): ", \ and control characters escaped, everything
// else as it is; the handler's encoder escapes <, > and & afterwards.
func appendGQLString(dst []byte, s string) []byte {
	const hex = "0123456789ABCDEF" // gqlgen's, upper case (encoding/json's is lower)
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !gqlEscaped[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '\t':
			dst = append(dst, '\\', 't')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\\', '"':
			dst = append(dst, '\\', c)
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// gqlEscaped marks the bytes gqlgen escapes in strings: control
// characters, " and \.
var gqlEscaped = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()
