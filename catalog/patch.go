package catalog

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Patches are how update commands name what changes. Every field of a
// patch is an Opt: left out (the zero Opt) it keeps the record's value,
// set to a value it replaces it, set to the zero value (JSON null) it
// clears it. Lists are replaced as a whole when given. Texts are patched
// per language (TextPatch), so a patch that gives only the German text of a
// module keeps its English one.

// Opt is one field of a patch: unset (keep), or set to a value, where the
// zero value clears the field. In JSON an unset Opt is left out (omitzero)
// and a set one is its value, so a logged command reads back the same.
type Opt[T any] struct {
	value T
	set   bool
}

// Set returns an Opt that sets a field to v (the zero value clears it).
func Set[T any](v T) Opt[T] { return Opt[T]{value: v, set: true} }

// Clear returns an Opt that clears a field.
func Clear[T any]() Opt[T] { var zero T; return Set(zero) }

// IsSet reports whether the patch changes the field.
func (o Opt[T]) IsSet() bool { return o.set }

// Value returns the new value (the zero value when unset or cleared).
func (o Opt[T]) Value() T { return o.value }

// IsZero makes encoding/json's omitzero leave out an unset Opt.
func (o Opt[T]) IsZero() bool { return !o.set }

// apply writes the new value into *dst when the field is set.
func (o Opt[T]) apply(dst *T) {
	if o.set {
		*dst = o.value
	}
}

func (o Opt[T]) MarshalJSON() ([]byte, error) { return json.Marshal(o.value) }

// UnmarshalJSON runs only for a key that is present: null clears.
func (o *Opt[T]) UnmarshalJSON(b []byte) error {
	var v T
	if !bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
	}
	*o = Set(v)
	return nil
}

// TextPatch changes some language versions of a text: a language left out
// keeps its version, a language mapped to nil loses it, any other entry
// replaces it (translation stamps are recomputed on write).
type TextPatch map[string]*i18n.Version

// PatchOf returns a patch that sets every language version of t.
func PatchOf(t i18n.Text) TextPatch {
	if t == nil {
		return nil
	}
	p := make(TextPatch, len(t))
	for lang, v := range t {
		p[lang] = &v
	}
	return p
}

// Apply returns t with the patch applied; t itself is not changed.
func (p TextPatch) Apply(t i18n.Text) i18n.Text {
	out := make(i18n.Text, len(t)+len(p))
	for lang, v := range t {
		out[lang] = v
	}
	for lang, v := range p {
		if v == nil || v.Value == "" {
			delete(out, lang)
			continue
		}
		out[lang] = *v
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// patchText applies a text field of a patch: unset keeps, null clears the
// whole text, a TextPatch changes the languages it names.
func patchText(o Opt[TextPatch], dst *i18n.Text) {
	switch {
	case !o.set:
	case o.value == nil:
		*dst = nil
	default:
		*dst = o.value.Apply(*dst)
	}
}

// OfficePatch changes an office (UpdateOffice). Field names in JSON and in
// errors are the API's.
type OfficePatch struct {
	Name              Opt[TextPatch]  `json:"name,omitzero"`
	Kind              Opt[OfficeKind] `json:"kind,omitzero"`
	RegionKey         Opt[string]     `json:"ars,omitzero"`
	ParentID          Opt[string]     `json:"parentId,omitzero"`
	Addresses         Opt[[]Address]  `json:"addresses,omitzero"`
	OpeningHours      Opt[[]Slot]     `json:"openingHours,omitzero"`
	OpeningHoursNotes Opt[TextPatch]  `json:"openingHoursNotes,omitzero"`
	Channels          Opt[[]Channel]  `json:"channels,omitzero"`
	Contacts          Opt[[]Contact]  `json:"contacts,omitzero"`
	Accessibility     Opt[TextPatch]  `json:"accessibility,omitzero"`
	ExternalIDs       Opt[[]string]   `json:"externalIds,omitzero"`
}

func (p *OfficePatch) applyTo(o *Office) {
	patchText(p.Name, &o.Name)
	p.Kind.apply(&o.Kind)
	p.RegionKey.apply(&o.RegionKey)
	p.ParentID.apply(&o.ParentID)
	p.Addresses.apply(&o.Addresses)
	p.OpeningHours.apply(&o.OpeningHours.Slots)
	patchText(p.OpeningHoursNotes, &o.OpeningHours.Notes)
	p.Channels.apply(&o.Channels)
	p.Contacts.apply(&o.Contacts)
	patchText(p.Accessibility, &o.Accessibility)
	p.ExternalIDs.apply(&o.ExternalIDs)
}

// OnlineServicePatch changes an online service (UpdateOnlineService).
type OnlineServicePatch struct {
	Title          Opt[TextPatch]  `json:"title,omitzero"`
	Description    Opt[TextPatch]  `json:"description,omitzero"`
	Links          Opt[[]Link]     `json:"links,omitzero"`
	TrustLevel     Opt[TrustLevel] `json:"trustLevel,omitzero"`
	Identification Opt[[]string]   `json:"identification,omitzero"`
	RegionKey      Opt[string]     `json:"ars,omitzero"`
	ValidFrom      Opt[*time.Time] `json:"validFrom,omitzero"`
	ValidTo        Opt[*time.Time] `json:"validTo,omitzero"`
	ExternalIDs    Opt[[]string]   `json:"externalIds,omitzero"`
}

func (p *OnlineServicePatch) applyTo(o *OnlineService) {
	patchText(p.Title, &o.Title)
	patchText(p.Description, &o.Description)
	p.Links.apply(&o.Links)
	p.TrustLevel.apply(&o.TrustLevel)
	p.Identification.apply(&o.Identification)
	p.RegionKey.apply(&o.RegionKey)
	p.ValidFrom.apply(&o.Validity.From)
	p.ValidTo.apply(&o.Validity.To)
	p.ExternalIDs.apply(&o.ExternalIDs)
}

// ServicePatch changes a central service description (UpdateService).
// Modules are patched one by one: a module left out keeps its text, a
// module mapped to nil is removed, and within a module each language is
// patched on its own (TextPatch).
type ServicePatch struct {
	LeikaKeys   Opt[[]string]        `json:"leikaKeys,omitzero"`
	Modules     map[Module]TextPatch `json:"modules,omitempty"`
	Fees        Opt[[]Fee]           `json:"fees,omitzero"`
	Deadlines   Opt[[]Deadline]      `json:"deadlines,omitzero"`
	Processing  Opt[*ProcessingTime] `json:"processingTime,omitzero"`
	Typisation  Opt[[]string]        `json:"typisation,omitzero"`
	Addressees  Opt[[]Addressee]     `json:"addressees,omitzero"`
	Categories  Opt[[]string]        `json:"categories,omitzero"`
	BundleIDs   Opt[[]string]        `json:"implementationBundles,omitzero"`
	KeywordsDE  Opt[[]string]        `json:"keywordsDe,omitzero"`
	KeywordsEN  Opt[[]string]        `json:"keywordsEn,omitzero"`
	RegionKey   Opt[string]          `json:"ars,omitzero"`
	ValidFrom   Opt[*time.Time]      `json:"validFrom,omitzero"`
	ValidTo     Opt[*time.Time]      `json:"validTo,omitzero"`
	ExternalIDs Opt[[]string]        `json:"externalIds,omitzero"`
}

func (p *ServicePatch) applyTo(s *Service) {
	p.LeikaKeys.apply(&s.LeikaKeys)
	if len(p.Modules) > 0 {
		texts := make(map[Module]i18n.Text, len(s.Texts)+len(p.Modules))
		for m, t := range s.Texts {
			texts[m] = t
		}
		for m, tp := range p.Modules {
			if t := tp.Apply(texts[m]); tp != nil && t != nil {
				texts[m] = t
			} else {
				delete(texts, m)
			}
		}
		s.Texts = texts
	}
	p.Fees.apply(&s.Fees)
	p.Deadlines.apply(&s.Deadlines)
	p.Processing.apply(&s.Processing)
	p.Typisation.apply(&s.Typisation)
	p.Addressees.apply(&s.Addressees)
	p.Categories.apply(&s.Categories)
	p.BundleIDs.apply(&s.BundleIDs)
	for lang, o := range map[string]Opt[[]string]{i18n.DE: p.KeywordsDE, i18n.EN: p.KeywordsEN} {
		if !o.set {
			continue
		}
		kw := make(map[string][]string, len(s.Keywords)+1)
		for l, v := range s.Keywords {
			kw[l] = v
		}
		if len(o.value) == 0 {
			delete(kw, lang)
		} else {
			kw[lang] = o.value
		}
		if len(kw) == 0 {
			kw = nil
		}
		s.Keywords = kw
	}
	p.RegionKey.apply(&s.RegionKey)
	p.ValidFrom.apply(&s.Validity.From)
	p.ValidTo.apply(&s.Validity.To)
	p.ExternalIDs.apply(&s.ExternalIDs)
}
