package graph

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Inputs are converted to catalogue commands and patches without any
// checking: the catalogue applies every rule and names the field in its
// errors. An omittable input field left out becomes an unset patch field
// (keep), an explicit null a cleared one.

// textPatch converts a TextInput to a per-language patch: a language left
// out is not in the patch, null or "" removes it.
func textPatch(in *TextInput) catalog.TextPatch {
	if in == nil {
		return nil
	}
	p := catalog.TextPatch{}
	if v, ok := in.De.ValueOK(); ok {
		p[i18n.DE] = version(v, false)
	}
	if v, ok := in.En.ValueOK(); ok {
		p[i18n.EN] = version(v, deref(in.EnMachineTranslated))
	}
	return p
}

func version(v *string, machine bool) *i18n.Version {
	if v == nil || *v == "" {
		return nil
	}
	out := &i18n.Version{Value: *v}
	if machine {
		out.MachineTranslated, out.Translator = true, "machine"
	}
	return out
}

// text converts a TextInput of a new record: what is left out is empty.
func text(in *TextInput) i18n.Text { return textPatch(in).Apply(nil) }

// textOpt converts an omittable text field of a patch.
func textOpt(o graphql.Omittable[*TextInput]) catalog.Opt[catalog.TextPatch] {
	v, ok := o.ValueOK()
	switch {
	case !ok:
		return catalog.Opt[catalog.TextPatch]{}
	case v == nil:
		return catalog.Clear[catalog.TextPatch]()
	}
	return catalog.Set(textPatch(v))
}

// opt converts an omittable field of a patch with conv (which sees nil for
// an explicit null).
func opt[T, U any](o graphql.Omittable[T], conv func(T) U) catalog.Opt[U] {
	v, ok := o.ValueOK()
	if !ok {
		return catalog.Opt[U]{}
	}
	return catalog.Set(conv(v))
}

func same[T any](v T) T { return v }

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func channels(in []*ChannelInput) []catalog.Channel {
	var out []catalog.Channel
	for _, c := range in {
		out = append(out, catalog.Channel{Kind: c.Kind, Value: c.Value, Note: text(c.Note)})
	}
	return out
}

func addresses(in []*AddressInput) []catalog.Address {
	var out []catalog.Address
	for _, a := range in {
		out = append(out, catalog.Address{Kind: a.Kind, Street: deref(a.Street), POBox: deref(a.PoBox),
			PostalCode: a.PostalCode, City: a.City, RegionKey: deref(a.Ars)})
	}
	return out
}

func slots(in []*OpeningSlotInput) []catalog.Slot {
	var out []catalog.Slot
	for _, s := range in {
		out = append(out, catalog.Slot{Day: s.Day, Open: s.Open, Close: s.Close})
	}
	return out
}

func contacts(in []*ContactInput) []catalog.Contact {
	var out []catalog.Contact
	for _, c := range in {
		out = append(out, catalog.Contact{Name: c.Name, Position: text(c.Position), Room: deref(c.Room), Channels: channels(c.Channels)})
	}
	return out
}

func officeFrom(in OfficeInput) catalog.Office {
	return catalog.Office{
		Name: text(in.Name), Kind: in.Kind, RegionKey: in.Ars, ParentID: deref(in.ParentID),
		Channels: channels(in.Channels), Accessibility: text(in.Accessibility),
		OpeningHours: catalog.OpeningHours{Slots: slots(in.OpeningHours), Notes: text(in.OpeningHoursNotes)},
		Addresses:    addresses(in.Addresses), Contacts: contacts(in.Contacts),
	}
}

func officePatch(in OfficePatchInput) catalog.OfficePatch {
	return catalog.OfficePatch{
		Name: textOpt(in.Name), Kind: opt(in.Kind, deref), RegionKey: opt(in.Ars, deref),
		ParentID: opt(in.ParentID, deref), Addresses: opt(in.Addresses, addresses),
		OpeningHours: opt(in.OpeningHours, slots), OpeningHoursNotes: textOpt(in.OpeningHoursNotes),
		Channels: opt(in.Channels, channels), Contacts: opt(in.Contacts, contacts),
		Accessibility: textOpt(in.Accessibility),
	}
}

func links(in []*LinkInput) []catalog.Link {
	var out []catalog.Link
	for _, l := range in {
		out = append(out, catalog.Link{URL: l.URL, Title: text(l.Title)})
	}
	return out
}

func onlineServiceFrom(in OnlineServiceInput) catalog.OnlineService {
	return catalog.OnlineService{Title: text(in.Title), Description: text(in.Description), RegionKey: in.Ars,
		TrustLevel: deref(in.TrustLevel), Identification: in.Identification, Links: links(in.Links),
		Validity: catalog.Validity{From: in.ValidFrom, To: in.ValidTo}}
}

func onlineServicePatch(in OnlineServicePatchInput) catalog.OnlineServicePatch {
	return catalog.OnlineServicePatch{
		Title: textOpt(in.Title), Description: textOpt(in.Description), Links: opt(in.Links, links),
		TrustLevel: opt(in.TrustLevel, deref), Identification: opt(in.Identification, same),
		RegionKey: opt(in.Ars, deref), ValidFrom: opt(in.ValidFrom, same), ValidTo: opt(in.ValidTo, same),
	}
}

func duration(in *DurationInput) *catalog.Duration {
	if in == nil {
		return nil
	}
	return &catalog.Duration{Value: int(in.Value), ValueTo: int(deref(in.ValueTo)), Unit: in.Unit}
}

func fees(in []*FeeInput) []catalog.Fee {
	var out []catalog.Fee
	for _, f := range in {
		out = append(out, catalog.Fee{Kind: f.Kind, Amount: catalog.Cents(deref(f.AmountCents)),
			Min: catalog.Cents(deref(f.MinCents)), Max: catalog.Cents(deref(f.MaxCents)),
			Description: text(f.Description), Prepayment: deref(f.Prepayment), URL: deref(f.URL)})
	}
	return out
}

func deadlines(in []*DeadlineInput) []catalog.Deadline {
	var out []catalog.Deadline
	for _, d := range in {
		out = append(out, catalog.Deadline{Kind: d.Kind, Duration: duration(d.Duration),
			From: d.From, To: d.To, Description: text(d.Description)})
	}
	return out
}

func processing(in *ProcessingTimeInput) *catalog.ProcessingTime {
	if in == nil {
		return nil
	}
	return &catalog.ProcessingTime{Duration: duration(in.Duration), Description: text(in.Description)}
}

// modules converts the text modules of an input to module patches: a
// module with a null text is removed.
func modules(in []*TextModuleInput) map[catalog.Module]catalog.TextPatch {
	if len(in) == 0 {
		return nil
	}
	out := make(map[catalog.Module]catalog.TextPatch, len(in))
	for _, m := range in {
		out[catalog.Module(m.Code)] = textPatch(m.Text)
	}
	return out
}

func serviceFrom(in ServiceInput) catalog.Service {
	s := catalog.Service{
		LeikaKeys: in.LeikaKeys, Texts: map[catalog.Module]i18n.Text{}, Typisation: in.Typisation,
		Addressees: in.Addressees, Categories: in.Categories, BundleIDs: in.ImplementationBundles,
		RegionKey: deref(in.Ars), Fees: fees(in.Fees), Deadlines: deadlines(in.Deadlines),
		Processing: processing(in.ProcessingTime),
		Validity:   catalog.Validity{From: in.ValidFrom, To: in.ValidTo},
	}
	for m, p := range modules(in.Modules) {
		if t := p.Apply(nil); t != nil {
			s.Texts[m] = t
		}
	}
	if len(in.KeywordsDe) > 0 || len(in.KeywordsEn) > 0 {
		s.Keywords = map[string][]string{}
		if len(in.KeywordsDe) > 0 {
			s.Keywords[i18n.DE] = in.KeywordsDe
		}
		if len(in.KeywordsEn) > 0 {
			s.Keywords[i18n.EN] = in.KeywordsEn
		}
	}
	return s
}

func servicePatch(in ServicePatchInput) catalog.ServicePatch {
	return catalog.ServicePatch{
		LeikaKeys: opt(in.LeikaKeys, same), Modules: modules(in.Modules), Fees: opt(in.Fees, fees),
		Deadlines: opt(in.Deadlines, deadlines), Processing: opt(in.ProcessingTime, processing),
		Typisation: opt(in.Typisation, same), Addressees: opt(in.Addressees, same),
		Categories: opt(in.Categories, same), BundleIDs: opt(in.ImplementationBundles, same),
		KeywordsDE: opt(in.KeywordsDe, same), KeywordsEN: opt(in.KeywordsEn, same),
		RegionKey: opt(in.Ars, deref), ValidFrom: opt(in.ValidFrom, same), ValidTo: opt(in.ValidTo, same),
	}
}

// putServicePatch reads the deprecated putService's full input as a patch:
// what it gives changes, optional fields left out (or null) keep their
// values, modules and languages left out keep their texts.
func putServicePatch(in ServiceInput) catalog.ServicePatch {
	p := catalog.ServicePatch{LeikaKeys: catalog.Set(in.LeikaKeys), Modules: modules(in.Modules)}
	for _, f := range []struct {
		in  []string
		out *catalog.Opt[[]string]
	}{{in.Typisation, &p.Typisation}, {in.Categories, &p.Categories}, {in.ImplementationBundles, &p.BundleIDs},
		{in.KeywordsDe, &p.KeywordsDE}, {in.KeywordsEn, &p.KeywordsEN}} {
		if f.in != nil {
			*f.out = catalog.Set(f.in)
		}
	}
	if in.Fees != nil {
		p.Fees = catalog.Set(fees(in.Fees))
	}
	if in.Deadlines != nil {
		p.Deadlines = catalog.Set(deadlines(in.Deadlines))
	}
	if in.ProcessingTime != nil {
		p.Processing = catalog.Set(processing(in.ProcessingTime))
	}
	if in.Addressees != nil {
		p.Addressees = catalog.Set(in.Addressees)
	}
	if in.Ars != nil {
		p.RegionKey = catalog.Set(*in.Ars)
	}
	if in.ValidFrom != nil {
		p.ValidFrom = catalog.Set(in.ValidFrom)
	}
	if in.ValidTo != nil {
		p.ValidTo = catalog.Set(in.ValidTo)
	}
	return p
}

var recordKinds = map[RecordKind]catalog.Kind{
	RecordKindService: catalog.KindService, RecordKindOffice: catalog.KindOffice,
	RecordKindOnlineService: catalog.KindOnlineService, RecordKindResponsibility: catalog.KindResponsibility,
	RecordKindSpecialisation: catalog.KindSpecialisation, RecordKindLifeSituation: catalog.KindLifeSituation,
	RecordKindSearchConcept: catalog.KindConcept,
}

// asRevision converts a GraphQL Int revision; negative values are invalid.
func asRevision(field string, n int) (uint64, error) {
	if n < 0 {
		return 0, catalog.Invalid(field, "range", "a revision is not negative")
	}
	return uint64(n), nil
}

func expect(field string, n *int) (*uint64, error) {
	if n == nil {
		return nil, nil
	}
	r, err := asRevision(field, *n)
	return &r, err
}
