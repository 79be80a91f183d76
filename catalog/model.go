package catalog

import (
	"time"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Kind names a record type. It is part of every change-log entry and of the
// federation feed, so its values are stable.
type Kind string

const (
	KindService        Kind = "service"
	KindOffice         Kind = "office"
	KindOnlineService  Kind = "onlineService"
	KindResponsibility Kind = "responsibility"
	KindSpecialisation Kind = "specialisation"
	KindRegion         Kind = "region"
	KindBundle         Kind = "bundle"
)

// Kinds lists every record kind in the order a full load writes them
// (a responsibility needs its region and office first).
var Kinds = []Kind{KindRegion, KindBundle, KindService, KindOffice, KindOnlineService, KindResponsibility, KindSpecialisation,
	KindLifeSituation, KindConcept}

// Meta is what every record carries besides its content.
type Meta struct {
	ID string `json:"id"`
	// Origin is the portal that owns the record: this portal's ID for local
	// records, a peer's ID for mirrored ones (read-only here).
	Origin string `json:"origin"`
	// Revision is the change-log revision that wrote this version. Writers
	// pass it back as the expected revision (optimistic locking).
	Revision uint64 `json:"rev"`
	// OriginRevision is, for a mirrored record, the revision that wrote
	// this version at its origin; applying a feed is idempotent by
	// (origin, id, origin revision).
	OriginRevision uint64 `json:"orev,omitempty"`
	// Version counts the versions of this record: 1 for the first.
	Version   int       `json:"ver"`
	CreatedAt time.Time `json:"created"`
	UpdatedAt time.Time `json:"updated"`
	UpdatedBy string    `json:"by,omitempty"`
	Reason    string    `json:"reason,omitempty"`
}

func (m *Meta) meta() *Meta { return m }

// Validity is a period in which a record or a version of it applies. A zero
// From or To is open.
type Validity struct {
	From *time.Time `json:"from,omitempty"`
	To   *time.Time `json:"to,omitempty"`
}

// Covers reports whether t lies within the period (To is inclusive, as a day).
func (v Validity) Covers(t time.Time) bool {
	if v.From != nil && t.Before(*v.From) {
		return false
	}
	if v.To != nil && !t.Before(v.To.AddDate(0, 0, 1)) {
		return false
	}
	return true
}

// NextChange returns the first instant after t at which Covers changes its
// answer (the start of the period, or the day after its end), and false
// when it never does. Tables derived for a date are stale from then on.
func (v Validity) NextChange(t time.Time) (time.Time, bool) {
	if v.From != nil && t.Before(*v.From) {
		return *v.From, true
	}
	if v.To != nil {
		if end := v.To.AddDate(0, 0, 1); t.Before(end) {
			return end, true
		}
	}
	return time.Time{}, false
}

// Status is the publication state of a central service description or a
// local addition.
type Status string

const (
	StatusDraft     Status = "DRAFT"
	StatusSubmitted Status = "SUBMITTED"
	StatusPublished Status = "PUBLISHED"
	StatusRejected  Status = "REJECTED"
	StatusArchived  Status = "ARCHIVED"
)

// Module is the LeiKa code of a text module (code list
// urn:de:xzufi:codeliste:leistungstextmodulleika).
type Module string

const (
	ModuleName           Module = "02" // Leistungsbezeichnung (formal name)
	ModuleCitizenName    Module = "03" // Leistungsbezeichnung II (citizen wording)
	ModuleShortText      Module = "05" // Kurztext
	ModuleFullText       Module = "06" // Volltext
	ModuleLegalBases     Module = "07" // Rechtsgrundlage(n)
	ModuleDocuments      Module = "08" // Erforderliche Unterlagen
	ModulePrerequisites  Module = "09" // Voraussetzungen
	ModuleFees           Module = "10" // Kosten (free text beside the structured fees)
	ModuleProcedure      Module = "11" // Verfahrensablauf
	ModuleProcessingTime Module = "12" // Bearbeitungsdauer (free text)
	ModuleDeadlines      Module = "13" // Frist (free text)
	ModuleForms          Module = "14" // Formulare
	ModuleFurtherInfo    Module = "15" // Weiterführende Informationen
	ModuleNotes          Module = "16" // Hinweise
	ModuleAuthor         Module = "18" // Urheber
	ModuleResponsible    Module = "22" // Zuständige Stelle
	ModuleContactPoint   Module = "23" // Ansprechpunkt
	ModuleTeaser         Module = "24" // Teaser
	ModuleRedress        Module = "25" // Rechtsbehelf
)

// Modules lists the text modules in the order a portal shows them.
var Modules = []Module{ModuleName, ModuleCitizenName, ModuleTeaser, ModuleShortText, ModuleFullText,
	ModulePrerequisites, ModuleDocuments, ModuleFees, ModuleProcedure, ModuleProcessingTime,
	ModuleDeadlines, ModuleForms, ModuleLegalBases, ModuleFurtherInfo, ModuleNotes, ModuleRedress,
	ModuleResponsible, ModuleContactPoint, ModuleAuthor}

// EnglishRequired are the modules a service needs in English for the
// Bundesportal: the key facts the EU Single Digital Gateway regulation
// requires (name, procedure, required evidence, fees, deadlines and
// processing time, redress) plus the summary, the description and the
// prerequisites that explain them.
var EnglishRequired = []Module{ModuleName, ModuleShortText, ModuleFullText, ModulePrerequisites, ModuleProcedure,
	ModuleDocuments, ModuleFees, ModuleDeadlines, ModuleProcessingTime, ModuleRedress}

// Addressee is who a service is for (Leistungsadressat).
type Addressee string

const (
	AddresseeCitizen        Addressee = "CITIZEN"
	AddresseeBusiness       Addressee = "BUSINESS"
	AddresseeAdministration Addressee = "ADMINISTRATION"
)

// Service is an administrative service (Leistung) as described centrally.
type Service struct {
	Meta
	Status Status `json:"status"`
	// RegionKey is the area whose editorial office maintains the
	// description: the state for this portal's services, the Bund for
	// federal ones, another state for mirrored ones. A place sees the
	// description of the most specific area it lies in.
	RegionKey string `json:"ars,omitempty"`
	// LeikaKeys are the 14-digit keys of the federal service catalogue.
	LeikaKeys []string `json:"leika"`
	// Texts are the text modules by LeiKa module code.
	Texts       map[Module]i18n.Text `json:"texts"`
	Fees        []Fee                `json:"fees,omitempty"`
	Deadlines   []Deadline           `json:"deadlines,omitempty"`
	Processing  *ProcessingTime      `json:"processing,omitempty"`
	Typisation  []string             `json:"typisation,omitempty"`
	Addressees  []Addressee          `json:"addressees,omitempty"`
	Categories  []string             `json:"categories,omitempty"`
	BundleIDs   []string             `json:"bundles,omitempty"`
	Keywords    map[string][]string  `json:"keywords,omitempty"` // by language code
	Validity    Validity             `json:"validity"`
	ExternalIDs []string             `json:"external,omitempty"`
	// LifeSituationIDs are the life situations the service belongs to
	// (situations.go).
	LifeSituationIDs []string `json:"lifeSituations,omitempty"`
	// Terms are the terms in context the editorial office wrote for it.
	Terms []Term `json:"terms,omitempty"`
}

// Name returns the citizen wording if there is one, else the formal name.
func (s *Service) Name() i18n.Text {
	if t := s.Texts[ModuleCitizenName]; !t.IsZero() {
		return t
	}
	return s.Texts[ModuleName]
}

// FeeKind is the structure of a fee.
type FeeKind string

const (
	FeeFixed FeeKind = "FIXED"
	FeeRange FeeKind = "RANGE"
	FeeFree  FeeKind = "FREE"
)

// Cents is an amount in euro cents; money is never a float.
type Cents int64

// Fee is one structured fee (XZuFi kosten).
type Fee struct {
	Kind        FeeKind   `json:"kind"`
	Amount      Cents     `json:"amount,omitempty"`
	Min         Cents     `json:"min,omitempty"`
	Max         Cents     `json:"max,omitempty"`
	Description i18n.Text `json:"description,omitempty"`
	Prepayment  bool      `json:"prepayment,omitempty"`
	URL         string    `json:"url,omitempty"`
}

// TimeUnit is the unit of a duration (XZuFi einheit).
type TimeUnit string

const (
	UnitMinute  TimeUnit = "MINUTE"
	UnitHour    TimeUnit = "HOUR"
	UnitDay     TimeUnit = "DAY"
	UnitWorkday TimeUnit = "WORKDAY"
	UnitWeek    TimeUnit = "WEEK"
	UnitMonth   TimeUnit = "MONTH"
	UnitYear    TimeUnit = "YEAR"
)

// Duration is an amount of time, optionally a range ("2 to 4 weeks").
type Duration struct {
	Value   int      `json:"value"`
	ValueTo int      `json:"valueTo,omitempty"`
	Unit    TimeUnit `json:"unit"`
}

// DeadlineKind says what a deadline is for.
type DeadlineKind string

const (
	DeadlineApplication DeadlineKind = "APPLICATION"
	DeadlineRedress     DeadlineKind = "REDRESS"
	DeadlineValidity    DeadlineKind = "VALIDITY"
	DeadlineOther       DeadlineKind = "OTHER"
)

// Deadline is a deadline (Frist): a duration or a date range, with text.
type Deadline struct {
	Kind        DeadlineKind `json:"kind"`
	Duration    *Duration    `json:"duration,omitempty"`
	From        *time.Time   `json:"from,omitempty"`
	To          *time.Time   `json:"to,omitempty"`
	Description i18n.Text    `json:"description,omitempty"`
}

// ProcessingTime is how long the office usually takes (Bearbeitungsdauer).
type ProcessingTime struct {
	Duration    *Duration `json:"duration,omitempty"`
	Description i18n.Text `json:"description,omitempty"`
}

// OfficeKind is the administrative level an office belongs to.
type OfficeKind string

const (
	OfficeMunicipality OfficeKind = "MUNICIPALITY"
	OfficeDistrict     OfficeKind = "DISTRICT"
	OfficeState        OfficeKind = "STATE"
	OfficeFederal      OfficeKind = "FEDERAL"
	OfficeOther        OfficeKind = "OTHER"
)

// Office is an authority or one of its units (Organisationseinheit).
type Office struct {
	Meta
	Name i18n.Text  `json:"name"`
	Kind OfficeKind `json:"kind"`
	// RegionKey is the ARS of the area the office belongs to; municipal
	// editors may edit it only inside their scope.
	RegionKey     string       `json:"ars"`
	ParentID      string       `json:"parent,omitempty"`
	Addresses     []Address    `json:"addresses,omitempty"`
	OpeningHours  OpeningHours `json:"hours"`
	Channels      []Channel    `json:"channels,omitempty"`
	Contacts      []Contact    `json:"contacts,omitempty"`
	Accessibility i18n.Text    `json:"accessibility,omitempty"`
	ExternalIDs   []string     `json:"external,omitempty"`
	// Upcoming are changes entered ahead: versions of this office's data
	// that take effect on their Validity.From (OfficeAt). Their own Meta,
	// Upcoming and ID are unused.
	Upcoming []*Office `json:"upcoming,omitempty"`
	Validity Validity  `json:"validity,omitzero"`
}

// At returns the office as it is on date t: the latest upcoming version
// that has taken effect by then, else the office itself, with the record's
// ID and bookkeeping. Nil when the office is not valid at t (closed).
func (o *Office) At(t time.Time) *Office {
	cur := o
	for _, u := range o.Upcoming {
		if u.Validity.From != nil && !t.Before(*u.Validity.From) {
			cur = u
		}
	}
	if cur != o {
		v := *cur
		v.Meta, v.Upcoming = o.Meta, nil
		cur = &v
	}
	if !cur.Validity.Covers(t) {
		return nil
	}
	return cur
}

// AddressKind is the use of an address (XZuFi anschrift type).
type AddressKind string

const (
	AddressVisitor  AddressKind = "VISITOR"
	AddressPostal   AddressKind = "POSTAL"
	AddressPOBox    AddressKind = "POBOX"
	AddressDelivery AddressKind = "DELIVERY"
)

// Address is a postal or visitor address with the region key of its place.
type Address struct {
	Kind       AddressKind `json:"kind"`
	Street     string      `json:"street,omitempty"`
	POBox      string      `json:"pobox,omitempty"`
	PostalCode string      `json:"postalCode"`
	City       string      `json:"city"`
	RegionKey  string      `json:"ars,omitempty"`
}

// Weekday names a day of the week; the week starts on Monday.
type Weekday string

const (
	Monday    Weekday = "MONDAY"
	Tuesday   Weekday = "TUESDAY"
	Wednesday Weekday = "WEDNESDAY"
	Thursday  Weekday = "THURSDAY"
	Friday    Weekday = "FRIDAY"
	Saturday  Weekday = "SATURDAY"
	Sunday    Weekday = "SUNDAY"
)

// Weekdays lists the days from Monday.
var Weekdays = []Weekday{Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday}

// OpeningHours are weekly slots plus notes ("and by appointment").
type OpeningHours struct {
	Slots []Slot    `json:"slots,omitempty"`
	Notes i18n.Text `json:"notes,omitempty"`
}

// Slot is one opening period on one day, times as "HH:MM" local time.
type Slot struct {
	Day   Weekday `json:"day"`
	Open  string  `json:"open"`
	Close string  `json:"close"`
}

// ChannelKind is a way to reach an office or a contact.
type ChannelKind string

const (
	ChannelPhone ChannelKind = "PHONE"
	ChannelFax   ChannelKind = "FAX"
	ChannelEmail ChannelKind = "EMAIL"
	ChannelWeb   ChannelKind = "WEB"
)

// Channel is one phone number, fax number, e-mail address or web address.
type Channel struct {
	Kind  ChannelKind `json:"kind"`
	Value string      `json:"value"`
	Note  i18n.Text   `json:"note,omitempty"`
}

// Contact is a person or desk at an office (Ansprechpartner).
type Contact struct {
	Name     string    `json:"name"`
	Position i18n.Text `json:"position,omitempty"`
	Room     string    `json:"room,omitempty"`
	Channels []Channel `json:"channels,omitempty"`
}

// TrustLevel is the eIDAS assurance level an online service requires.
type TrustLevel string

const (
	TrustLow         TrustLevel = "LOW"
	TrustSubstantial TrustLevel = "SUBSTANTIAL"
	TrustHigh        TrustLevel = "HIGH"
)

// OnlineService is a web application where a service can be requested
// (Onlinedienst).
type OnlineService struct {
	Meta
	Title          i18n.Text  `json:"title"`
	Description    i18n.Text  `json:"description,omitempty"`
	Links          []Link     `json:"links"`
	TrustLevel     TrustLevel `json:"trust,omitempty"`
	Identification []string   `json:"ident,omitempty"`
	// RegionKey is the area whose editors maintain it (Bund for federal ones).
	RegionKey   string   `json:"ars"`
	ExternalIDs []string `json:"external,omitempty"`
	// Validity is when the online service is available.
	Validity Validity `json:"validity,omitzero"`
}

// Link is a web address with a title.
type Link struct {
	URL   string    `json:"url"`
	Title i18n.Text `json:"title,omitempty"`
}

// Role is what an office does for a service in an area.
type Role string

const (
	RoleResponsible    Role = "RESPONSIBLE"
	RoleContactPoint   Role = "CONTACT_POINT"
	RoleUniformContact Role = "UNIFORM_CONTACT"
)

// Responsibility says that an office (or an online service) handles a
// service for an area (Zuständigkeit). The area's key is inherited
// downwards: a responsibility at a district covers its municipalities unless
// one of them has its own.
type Responsibility struct {
	Meta
	LeikaKey        string `json:"leika"`
	RegionKey       string `json:"ars"`
	OfficeID        string `json:"office,omitempty"`
	OnlineServiceID string `json:"online,omitempty"`
	Role            Role   `json:"role"`
	// Validity lets a responsibility be entered ahead (a new office takes
	// over on a date) or end (a reform); the lookup for a date honours it.
	Validity Validity `json:"validity,omitzero"`
}

// Mode says how a specialisation combines with the central text.
type Mode string

const (
	ModeAppend  Mode = "APPEND"
	ModeReplace Mode = "REPLACE"
)

// Specialisation is a region's addition to one text module of a service
// (örtliche Ergänzung). It applies to the region and everything below it.
type Specialisation struct {
	Meta
	LeikaKey  string    `json:"leika"`
	RegionKey string    `json:"ars"`
	Module    Module    `json:"module"`
	Mode      Mode      `json:"mode"`
	Text      i18n.Text `json:"text"`
	// Terms, instead of Module and Text, make the addition a list of local
	// terms in context, added to the central ones (Mode APPEND or empty): words people of the region use for the
	// service ("Bürgerbüro am Markt"). The search indexes them once the
	// addition is published.
	Terms  []Term `json:"terms,omitempty"`
	Status Status `json:"status"`
	// Replaces is a published addition this one takes the place of when
	// it is approved.
	Replaces      string     `json:"replaces,omitempty"`
	ProposedBy    string     `json:"proposedBy,omitempty"`
	SubmittedAt   *time.Time `json:"submittedAt,omitempty"`
	ReviewedBy    string     `json:"reviewedBy,omitempty"`
	ReviewedAt    *time.Time `json:"reviewedAt,omitempty"`
	ReviewComment string     `json:"reviewComment,omitempty"`
}

// Region is a unit of the administrative hierarchy, identified by its ARS.
type Region struct {
	Meta
	Name      string `json:"name"`
	Level     Level  `json:"level"`
	ParentKey string `json:"parent,omitempty"`
	// Type is the official type ("Landkreis", "Kreisfreie Stadt", "Stadt").
	Type        string   `json:"type,omitempty"`
	Seat        string   `json:"seat,omitempty"`
	PostalCodes []string `json:"postalCodes,omitempty"`
	Population  int      `json:"population,omitempty"`
	Validity    Validity `json:"validity"`
	// SuccessorKey is the key that replaced this one after a reform.
	SuccessorKey string `json:"successor,omitempty"`
}

// ARS returns the region key, which is the record's ID.
func (r *Region) ARS() string { return r.ID }

// Bundle is an OZG implementation bundle (Umsetzungsbündel): services put
// online together.
type Bundle struct {
	Meta
	Number             int       `json:"number"`
	Name               i18n.Text `json:"name"`
	ServiceCount       int       `json:"services"`
	AvailableSince     string    `json:"since"`
	AvailableSinceDate time.Time `json:"sinceDate"`
}
