package graph

import (
	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Inputs are converted to catalogue records without any checking: the
// catalogue validates every field and names it in its errors.

func text(in *TextInput) i18n.Text {
	if in == nil {
		return nil
	}
	t := i18n.Text{i18n.DE: {Value: in.De}}
	if in.En != nil && *in.En != "" {
		v := i18n.Version{Value: *in.En}
		if in.EnMachineTranslated != nil && *in.EnMachineTranslated {
			v.MachineTranslated, v.Translator = true, "machine"
		}
		t[i18n.EN] = v
	}
	return t
}

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

func officeFrom(in OfficeInput) *catalog.Office {
	o := &catalog.Office{
		Name: text(in.Name), Kind: in.Kind, RegionKey: in.Ars, ParentID: deref(in.ParentID),
		Channels: channels(in.Channels), Accessibility: text(in.Accessibility),
		OpeningHours: catalog.OpeningHours{Notes: text(in.OpeningHoursNotes)},
	}
	for _, a := range in.Addresses {
		o.Addresses = append(o.Addresses, catalog.Address{Kind: a.Kind, Street: deref(a.Street), POBox: deref(a.PoBox),
			PostalCode: a.PostalCode, City: a.City, RegionKey: deref(a.Ars)})
	}
	for _, s := range in.OpeningHours {
		o.OpeningHours.Slots = append(o.OpeningHours.Slots, catalog.Slot{Day: s.Day, Open: s.Open, Close: s.Close})
	}
	for _, c := range in.Contacts {
		o.Contacts = append(o.Contacts, catalog.Contact{Name: c.Name, Position: text(c.Position), Room: deref(c.Room), Channels: channels(c.Channels)})
	}
	return o
}

func onlineServiceFrom(in OnlineServiceInput) *catalog.OnlineService {
	o := &catalog.OnlineService{Title: text(in.Title), Description: text(in.Description), RegionKey: in.Ars,
		TrustLevel: deref(in.TrustLevel), Identification: in.Identification,
		Validity: catalog.Validity{From: in.ValidFrom, To: in.ValidTo}}
	for _, l := range in.Links {
		o.Links = append(o.Links, catalog.Link{URL: l.URL, Title: text(l.Title)})
	}
	return o
}

func duration(in *DurationInput) *catalog.Duration {
	if in == nil {
		return nil
	}
	return &catalog.Duration{Value: in.Value, ValueTo: deref(in.ValueTo), Unit: in.Unit}
}

func serviceFrom(in ServiceInput) *catalog.Service {
	s := &catalog.Service{
		LeikaKeys: in.LeikaKeys, Texts: map[catalog.Module]i18n.Text{}, Typisation: in.Typisation,
		Addressees: in.Addressees, Categories: in.Categories, BundleIDs: in.ImplementationBundles,
		RegionKey: deref(in.Ars),
		Validity:  catalog.Validity{From: in.ValidFrom, To: in.ValidTo},
	}
	for _, m := range in.Modules {
		s.Texts[catalog.Module(m.Code)] = text(m.Text)
	}
	for _, f := range in.Fees {
		s.Fees = append(s.Fees, catalog.Fee{Kind: f.Kind, Amount: catalog.Cents(deref(f.AmountCents)),
			Min: catalog.Cents(deref(f.MinCents)), Max: catalog.Cents(deref(f.MaxCents)),
			Description: text(f.Description), Prepayment: deref(f.Prepayment), URL: deref(f.URL)})
	}
	for _, d := range in.Deadlines {
		s.Deadlines = append(s.Deadlines, catalog.Deadline{Kind: d.Kind, Duration: duration(d.Duration),
			From: d.From, To: d.To, Description: text(d.Description)})
	}
	if in.ProcessingTime != nil {
		s.Processing = &catalog.ProcessingTime{Duration: duration(in.ProcessingTime.Duration), Description: text(in.ProcessingTime.Description)}
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
