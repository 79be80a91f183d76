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

// viewNeeds names the parts of a LocalServiceView a selection reads (the
// page writer knows it from the query); localServiceView leaves the others
// empty instead of localizing and formatting what nobody reads. gqlgen's
// executor gets needAll.
type viewNeeds uint16

const (
	needTexts      viewNeeds = 1 << iota // texts, text(module)
	needFees                             // fees: amounts formatted per locale
	needDeadlines                        // deadlines
	needProcessing                       // processingTime
	needOffices                          // responsibleOffices
	needOnline                           // onlineServices
	needTerms                            // terms
	needAddresses                        // the offices' addresses (address is always there)
	needHours                            // the offices' openingHours, formatted
	needSlots                            // the offices' openingHoursSlots
	needChannels                         // the offices' channels
	needContacts                         // the offices' contacts
	needAll        = 1<<iota - 1
)

func localServiceView(ctx context.Context, ls *catalog.LocalService, need viewNeeds) *LocalServiceView {
	v := &LocalServiceView{Service: ls.Service, Region: ls.Region, Name: plain(ctx, ls.Service.Name()),
		Texts: []*LocalTextView{}, OnlineServices: make([]*ResponsibleOnlineServiceView, 0, len(ls.OnlineServices))}
	if need&needFees != 0 {
		v.Fees = feeViews(ctx, ls.Service.Fees)
	}
	if need&needDeadlines != 0 {
		v.Deadlines = deadlineViews(ctx, ls.Service.Deadlines)
	}
	if need&needProcessing != 0 {
		v.ProcessingTime = processingView(ctx, ls.Service.Processing)
	}
	if need&needTerms != 0 {
		v.Terms = termViews(ls.Terms)
	}
	texts := make([]i18n.Text, 0, len(ls.Texts))
	for _, t := range ls.Texts {
		texts = append(texts, t.Text)
		if need&needTexts == 0 {
			continue
		}
		lt := &LocalTextView{Code: string(t.Module), Label: moduleLabel(ctx, t.Module), Text: localize(ctx, t.Text),
			Central: localize(ctx, t.Central), IsSpecialised: len(t.Additions) > 0, Additions: []*AdditionView{}}
		for _, a := range t.Additions {
			lt.Additions = append(lt.Additions, &AdditionView{ID: a.Specialisation.ID, Mode: a.Specialisation.Mode,
				Text: localize(ctx, a.Specialisation.Text), From: a.From})
		}
		v.Texts = append(v.Texts, lt)
	}
	v.Localization = localization(ctx, texts...)
	if need&needOffices != 0 {
		v.ResponsibleOffices = responsibleOfficeViews(ctx, ls.Offices, need)
	}
	for _, o := range ls.OnlineServices {
		if need&needOnline == 0 {
			break
		}
		ov := &ResponsibleOnlineServiceView{ID: o.ID, Title: plain(ctx, o.Title), Links: linkViews(ctx, o.Links),
			InheritedFrom: o.From, Inherited: o.Inherited, OnlineService: o.OnlineService}
		if o.TrustLevel != "" {
			tl := o.TrustLevel
			ov.TrustLevel = &tl
		}
		v.OnlineServices = append(v.OnlineServices, ov)
	}
	return v
}

// responsibleOfficeViews are the views of the offices responsible for a
// service, each with the parts need names.
func responsibleOfficeViews(ctx context.Context, offices []*catalog.ResponsibleOffice, need viewNeeds) []*ResponsibleOfficeView {
	out := make([]*ResponsibleOfficeView, 0, len(offices))
	for _, o := range offices {
		ov := officeView(ctx, o.Office, need)
		ov.Role, ov.InheritedFrom, ov.Inherited = o.Responsibility.Role, o.From, o.Inherited
		out = append(out, ov)
	}
	return out
}

// officeView is an office's view with the parts need names.
func officeView(ctx context.Context, o *catalog.Office, need viewNeeds) *ResponsibleOfficeView {
	v := &ResponsibleOfficeView{ID: o.ID, Name: plain(ctx, o.Name), Kind: o.Kind, Office: o,
		OpeningHoursNotes: localize(ctx, o.OpeningHours.Notes), Accessibility: localize(ctx, o.Accessibility)}
	if need&needAddresses != 0 {
		v.Addresses = addressViews(ctx, o.Addresses)
	}
	if need&needHours != 0 {
		v.OpeningHours = openingHours(ctx, o.OpeningHours)
	}
	if need&needSlots != 0 {
		v.OpeningHoursSlots = slotViews(ctx, o.OpeningHours.Slots)
	}
	if need&needChannels != 0 {
		v.Channels = channelViews(ctx, o.Channels)
	}
	if need&needContacts != 0 {
		v.Contacts = contactViews(ctx, o.Contacts)
	}
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

// localService reads a service for a place at a time (now when at is nil)
// and returns its view with the parts need names; nil when either key
// names nothing.
func (r *Resolver) localService(ctx context.Context, leikaKey, ars string, at *time.Time, need viewNeeds) (*LocalServiceView, error) {
	when := r.Store.Now()
	if at != nil {
		when = *at
	}
	out, err := lookup(read(ctx, r.Store, func(tx *catalog.Tx) (*catalog.LocalService, error) { return tx.LocalService(leikaKey, ars, when) }))
	if out == nil {
		return nil, err
	}
	return localServiceView(ctx, out, need), nil
}
