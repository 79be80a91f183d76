package graph

import (
	"context"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// View models: what a service page for a place shows, filled in one pass in
// the request's language. gqlgen runs every resolver field in a goroutine
// of its own; a service page has a hundred such small fields (labels,
// formatted amounts, localized texts), and spawning them cost more than the
// store read. Plain fields are marshalled in place. The types are bound in
// gqlgen.yml; their field names follow the schema.

type LocalServiceView struct {
	Service            *catalog.Service
	Region             *catalog.Region
	Name               string
	Texts              []*LocalTextView
	Fees               []*FeeView
	Deadlines          []*DeadlineView
	ProcessingTime     *ProcessingTimeView
	ResponsibleOffices []*ResponsibleOfficeView
	OnlineServices     []*ResponsibleOnlineServiceView
	Localization       *Localization
	Terms              []*TermView
}

// Text returns one merged module by code; a method without context, so it
// needs no goroutine either.
func (v *LocalServiceView) Text(module string) *LocalTextView {
	for _, t := range v.Texts {
		if t.Code == module {
			return t
		}
	}
	return nil
}

type LocalTextView struct {
	Code          string
	Label         string
	Text          *LocalizedText
	Central       *LocalizedText
	Additions     []*AdditionView
	IsSpecialised bool
}

type AdditionView struct {
	ID   string
	Mode catalog.Mode
	Text *LocalizedText
	From *catalog.Region
}

type FeeView struct {
	Kind        catalog.FeeKind
	Label       string
	AmountCents *int
	MinCents    *int
	MaxCents    *int
	Formatted   string
	Description *LocalizedText
	Prepayment  bool
	URL         *string
}

type DurationView struct {
	Value     int
	ValueTo   *int
	Unit      catalog.TimeUnit
	Formatted string
}

type DeadlineView struct {
	Kind        catalog.DeadlineKind
	Label       string
	Duration    *DurationView
	From        *time.Time
	To          *time.Time
	Description *LocalizedText
}

type ProcessingTimeView struct {
	Duration    *DurationView
	Description *LocalizedText
}

type ResponsibleOfficeView struct {
	ID                string
	Name              string
	Kind              catalog.OfficeKind
	Address           *AddressView
	Addresses         []*AddressView
	OpeningHours      []string
	OpeningHoursSlots []*SlotView
	OpeningHoursNotes *LocalizedText
	Channels          []*ChannelView
	Contacts          []*ContactView
	Accessibility     *LocalizedText
	Role              catalog.Role
	InheritedFrom     *catalog.Region
	Inherited         bool
	Office            *catalog.Office
}

type ResponsibleOnlineServiceView struct {
	ID            string
	Title         string
	Links         []*LinkView
	TrustLevel    *catalog.TrustLevel
	InheritedFrom *catalog.Region
	Inherited     bool
	OnlineService *catalog.OnlineService
}

type AddressView struct {
	Kind       catalog.AddressKind
	Label      string
	Street     *string
	PoBox      *string
	PostalCode string
	City       string
	Ars        *string
}

type SlotView struct {
	Day      catalog.Weekday
	DayLabel string
	Open     string
	Close    string
}

type ChannelView struct {
	Kind  catalog.ChannelKind
	Label string
	Value string
	Note  *LocalizedText
}

type ContactView struct {
	Name     string
	Position *LocalizedText
	Room     *string
	Channels []*ChannelView
}

type LinkView struct {
	URL   string
	Title *string
}

func localServiceView(ctx context.Context, ls *catalog.LocalService) *LocalServiceView {
	v := &LocalServiceView{
		Service: ls.Service, Region: ls.Region, Name: plain(ctx, ls.Service.Name()),
		Fees: feeViews(ctx, ls.Service.Fees), Deadlines: deadlineViews(ctx, ls.Service.Deadlines),
		ProcessingTime: processingView(ctx, ls.Service.Processing),
		OnlineServices: make([]*ResponsibleOnlineServiceView, 0, len(ls.OnlineServices)),
		Terms:          termViews(ls.Terms),
	}
	texts := make([]i18n.Text, 0, len(ls.Texts))
	for _, t := range ls.Texts {
		texts = append(texts, t.Text)
		lt := &LocalTextView{Code: string(t.Module), Label: moduleLabel(ctx, t.Module), Text: localize(ctx, t.Text),
			Central: localize(ctx, t.Central), IsSpecialised: len(t.Additions) > 0, Additions: []*AdditionView{}}
		for _, a := range t.Additions {
			lt.Additions = append(lt.Additions, &AdditionView{ID: a.Specialisation.ID, Mode: a.Specialisation.Mode,
				Text: localize(ctx, a.Specialisation.Text), From: a.From})
		}
		v.Texts = append(v.Texts, lt)
	}
	v.Localization = localization(ctx, texts...)
	v.ResponsibleOffices = responsibleOfficeViews(ctx, ls.Offices)
	for _, o := range ls.OnlineServices {
		ov := &ResponsibleOnlineServiceView{ID: o.ID, Title: plain(ctx, o.Title), Links: linkViews(ctx, o.Links),
			InheritedFrom: o.From, Inherited: o.Inherited, OnlineService: o.OnlineService}
		if o.TrustLevel != "" {
			tl := o.TrustLevel
			ov.TrustLevel = &tl
		}
		v.OnlineServices = append(v.OnlineServices, ov)
	}
	if v.Texts == nil {
		v.Texts = []*LocalTextView{}
	}
	return v
}

func responsibleOfficeViews(ctx context.Context, offices []*catalog.ResponsibleOffice) []*ResponsibleOfficeView {
	out := make([]*ResponsibleOfficeView, 0, len(offices))
	for _, o := range offices {
		ov := officeView(ctx, o.Office)
		ov.Role, ov.InheritedFrom, ov.Inherited = o.Responsibility.Role, o.From, o.Inherited
		out = append(out, ov)
	}
	return out
}

func officeView(ctx context.Context, o *catalog.Office) *ResponsibleOfficeView {
	v := &ResponsibleOfficeView{ID: o.ID, Name: plain(ctx, o.Name), Kind: o.Kind, Office: o,
		Addresses: addressViews(ctx, o.Addresses), OpeningHours: openingHours(ctx, o.OpeningHours),
		OpeningHoursSlots: slotViews(ctx, o.OpeningHours.Slots), OpeningHoursNotes: localize(ctx, o.OpeningHours.Notes),
		Channels: channelViews(ctx, o.Channels), Contacts: contactViews(ctx, o.Contacts), Accessibility: localize(ctx, o.Accessibility)}
	if a := primaryAddress(o); a != nil {
		v.Address = addressView(ctx, a)
	}
	return v
}

func intPtr(n int) *int { return &n }

func feeViews(ctx context.Context, fees []catalog.Fee) []*FeeView {
	out := make([]*FeeView, 0, len(fees))
	for i := range fees {
		f := &fees[i]
		v := &FeeView{Kind: f.Kind, Label: label(ctx, "fee."+string(f.Kind)), Formatted: formatFee(ctx, f),
			Description: localize(ctx, f.Description), Prepayment: f.Prepayment, URL: optString(f.URL)}
		switch f.Kind {
		case catalog.FeeFixed:
			v.AmountCents = intPtr(int(f.Amount))
		case catalog.FeeRange:
			v.MinCents, v.MaxCents = intPtr(int(f.Min)), intPtr(int(f.Max))
		}
		out = append(out, v)
	}
	return out
}

func durationView(ctx context.Context, d *catalog.Duration) *DurationView {
	if d == nil {
		return nil
	}
	v := &DurationView{Value: d.Value, Unit: d.Unit,
		Formatted: i18n.FormatDuration(langOf(ctx).Lang, d.Value, d.ValueTo, string(d.Unit))}
	if d.ValueTo != 0 {
		v.ValueTo = intPtr(d.ValueTo)
	}
	return v
}

func deadlineViews(ctx context.Context, ds []catalog.Deadline) []*DeadlineView {
	out := make([]*DeadlineView, 0, len(ds))
	for _, d := range ds {
		out = append(out, &DeadlineView{Kind: d.Kind, Label: label(ctx, "deadline."+string(d.Kind)),
			Duration: durationView(ctx, d.Duration), From: d.From, To: d.To, Description: localize(ctx, d.Description)})
	}
	return out
}

func processingView(ctx context.Context, p *catalog.ProcessingTime) *ProcessingTimeView {
	if p == nil {
		return nil
	}
	return &ProcessingTimeView{Duration: durationView(ctx, p.Duration), Description: localize(ctx, p.Description)}
}

func addressView(ctx context.Context, a *catalog.Address) *AddressView {
	return &AddressView{Kind: a.Kind, Label: label(ctx, "address."+string(a.Kind)), Street: optString(a.Street),
		PoBox: optString(a.POBox), PostalCode: a.PostalCode, City: a.City, Ars: optString(a.RegionKey)}
}

func addressViews(ctx context.Context, as []catalog.Address) []*AddressView {
	out := make([]*AddressView, 0, len(as))
	for i := range as {
		out = append(out, addressView(ctx, &as[i]))
	}
	return out
}

func slotViews(ctx context.Context, ss []catalog.Slot) []*SlotView {
	out := make([]*SlotView, 0, len(ss))
	for _, s := range ss {
		out = append(out, &SlotView{Day: s.Day, DayLabel: label(ctx, "weekday."+string(s.Day)), Open: s.Open, Close: s.Close})
	}
	return out
}

func channelViews(ctx context.Context, cs []catalog.Channel) []*ChannelView {
	out := make([]*ChannelView, 0, len(cs))
	for _, c := range cs {
		out = append(out, &ChannelView{Kind: c.Kind, Label: label(ctx, "channel."+string(c.Kind)), Value: c.Value, Note: localize(ctx, c.Note)})
	}
	return out
}

func contactViews(ctx context.Context, cs []catalog.Contact) []*ContactView {
	out := make([]*ContactView, 0, len(cs))
	for _, c := range cs {
		out = append(out, &ContactView{Name: c.Name, Position: localize(ctx, c.Position), Room: optString(c.Room), Channels: channelViews(ctx, c.Channels)})
	}
	return out
}

func linkViews(ctx context.Context, ls []catalog.Link) []*LinkView {
	out := make([]*LinkView, 0, len(ls))
	for _, l := range ls {
		v := &LinkView{URL: l.URL}
		if !l.Title.IsZero() {
			t := plain(ctx, l.Title)
			v.Title = &t
		}
		out = append(out, v)
	}
	return out
}
