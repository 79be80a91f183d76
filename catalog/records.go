package catalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// This file binds each record type to the store: its kind, index entries,
// texts, field validation and references.

func originKey(m *Meta, k Kind) indexKey {
	return indexKey{idxOrigin, join(m.Origin, string(k), m.ID)}
}

func (s *Service) RecordKind() Kind { return KindService }

func (s *Service) indexKeys() []indexKey {
	keys := []indexKey{originKey(&s.Meta, KindService)}
	for _, l := range s.LeikaKeys {
		keys = append(keys, indexKey{idxServiceLeika, []byte(l + s.ID)})
	}
	for _, b := range s.BundleIDs {
		keys = append(keys, indexKey{idxServiceBundle, join(b, s.ID)})
	}
	for _, l := range s.LifeSituationIDs {
		keys = append(keys, indexKey{idxServiceSituation, join(l, s.ID)})
	}
	for _, lang := range i18n.Supported {
		v, _, _ := s.Name().Pick(lang)
		keys = append(keys, indexKey{idxServiceName, nameKey(lang, s.Status == StatusPublished, i18n.SortKey(v.Value), s.ID)})
	}
	return keys
}

func (s *Service) walkTexts(fn func(string, i18n.Text) i18n.Text) {
	for _, m := range Modules {
		if t, ok := s.Texts[m]; ok {
			s.Texts[m] = fn("texts."+string(m), t)
		}
	}
	for i := range s.Fees {
		s.Fees[i].Description = fn(fmt.Sprintf("fees[%d].description", i), s.Fees[i].Description)
	}
	for i := range s.Deadlines {
		s.Deadlines[i].Description = fn(fmt.Sprintf("deadlines[%d].description", i), s.Deadlines[i].Description)
	}
	if s.Processing != nil {
		s.Processing.Description = fn("processingTime.description", s.Processing.Description)
	}
}

func (s *Service) validate(v *validator) {
	v.oneOf("status", string(s.Status), StatusDraft, StatusPublished, StatusArchived)
	if len(s.LeikaKeys) == 0 {
		v.add("leikaKeys", "required", "at least one LeiKa key is required")
	}
	for i, l := range s.LeikaKeys {
		if !ValidLeika(l) {
			v.add(fmt.Sprintf("leikaKeys[%d]", i), "format", "%q is not a 14-digit LeiKa key", l)
		}
	}
	for m := range s.Texts {
		if !knownModule(m) {
			v.add("texts."+string(m), "module", "%q is not a LeiKa text module code", m)
		}
	}
	if s.Texts[ModuleName].IsZero() {
		v.add("texts.02", "required", "the service needs a name")
	}
	for i, f := range s.Fees {
		v.fee(fmt.Sprintf("fees[%d]", i), f)
	}
	for i, d := range s.Deadlines {
		p := fmt.Sprintf("deadlines[%d]", i)
		v.oneOf(p+".kind", string(d.Kind), DeadlineApplication, DeadlineRedress, DeadlineValidity, DeadlineOther)
		if d.Duration != nil {
			v.duration(p+".duration", *d.Duration)
		}
		if d.From != nil && d.To != nil && d.To.Before(*d.From) {
			v.add(p+".to", "order", "the deadline ends before it starts")
		}
	}
	if s.Processing != nil && s.Processing.Duration != nil {
		v.duration("processingTime.duration", *s.Processing.Duration)
	}
	for i, a := range s.Addressees {
		v.oneOf(fmt.Sprintf("addressees[%d]", i), string(a), AddresseeCitizen, AddresseeBusiness, AddresseeAdministration)
	}
	for lang := range s.Keywords {
		if lang != i18n.DE && lang != i18n.EN {
			v.add("keywords", "language", "only de and en are stored, not %q", lang)
		}
	}
	v.validity("validTo", s.Validity)
	if s.RegionKey != "" {
		v.ars("ars", s.RegionKey)
	}
	v.situationIDs("lifeSituationIds", s.LifeSituationIDs)
	v.terms("terms", s.Terms)
}

func (s *Service) refs() []ref {
	out := []ref{{"ars", KindRegion, s.RegionKey}}
	for i, b := range s.BundleIDs {
		out = append(out, ref{fmt.Sprintf("implementationBundles[%d]", i), KindBundle, b})
	}
	return out
}

func (o *Office) RecordKind() Kind { return KindOffice }

func (o *Office) indexKeys() []indexKey {
	return []indexKey{originKey(&o.Meta, KindOffice), {idxOfficeRegion, []byte(o.RegionKey + o.ID)}}
}

func (o *Office) walkTexts(fn func(string, i18n.Text) i18n.Text) {
	o.walkOwnTexts("", fn)
	for i, u := range o.Upcoming {
		u.walkOwnTexts(fmt.Sprintf("upcoming[%d].", i), fn)
	}
}

func (o *Office) walkOwnTexts(prefix string, fn func(string, i18n.Text) i18n.Text) {
	o.Name = fn(prefix+"name", o.Name)
	o.OpeningHours.Notes = fn(prefix+"openingHoursNotes", o.OpeningHours.Notes)
	o.Accessibility = fn(prefix+"accessibility", o.Accessibility)
	for i := range o.Channels {
		o.Channels[i].Note = fn(fmt.Sprintf("%schannels[%d].note", prefix, i), o.Channels[i].Note)
	}
	for i := range o.Contacts {
		c := &o.Contacts[i]
		c.Position = fn(fmt.Sprintf("%scontacts[%d].position", prefix, i), c.Position)
		for j := range c.Channels {
			c.Channels[j].Note = fn(fmt.Sprintf("%scontacts[%d].channels[%d].note", prefix, i, j), c.Channels[j].Note)
		}
	}
}

func (o *Office) validate(v *validator) {
	o.validateFields(v)
	v.validity("validTo", o.Validity)
	var last *time.Time
	for i, u := range o.Upcoming {
		p := fmt.Sprintf("upcoming[%d]", i)
		if u.Validity.From == nil {
			v.add(p+".validFrom", "required", "a change entered ahead needs the date it takes effect")
			continue
		}
		if last != nil && !u.Validity.From.After(*last) {
			v.add(p+".validFrom", "order", "changes entered ahead must be in date order")
		}
		last = u.Validity.From
		if u.RegionKey != o.RegionKey {
			v.add(p+".ars", "fixed", "a change entered ahead cannot move the office to another region")
		}
		sub := &validator{}
		u.validateFields(sub)
		for _, e := range sub.errs {
			e.Field = p + "." + e.Field
			v.errs = append(v.errs, e)
		}
	}
}

func (o *Office) validateFields(v *validator) {
	if o.Name.IsZero() {
		v.add("name", "required", "the office needs a name")
	}
	v.oneOf("kind", string(o.Kind), OfficeMunicipality, OfficeDistrict, OfficeState, OfficeFederal, OfficeOther)
	v.ars("ars", o.RegionKey)
	for i, a := range o.Addresses {
		p := fmt.Sprintf("addresses[%d]", i)
		v.oneOf(p+".kind", string(a.Kind), AddressVisitor, AddressPostal, AddressPOBox, AddressDelivery)
		v.postalCode(p+".postalCode", a.PostalCode)
		v.maxLen(p+".street", a.Street, 200)
		if strings.TrimSpace(a.City) == "" {
			v.add(p+".city", "required", "the city is required")
		}
		v.maxLen(p+".city", a.City, 100)
		if a.Kind == AddressVisitor && strings.TrimSpace(a.Street) == "" {
			v.add(p+".street", "required", "a visitor address needs a street")
		}
		if a.RegionKey != "" {
			v.ars(p+".ars", a.RegionKey)
		}
	}
	v.openingHours("openingHours", o.OpeningHours)
	for i, c := range o.Channels {
		v.channel(fmt.Sprintf("channels[%d]", i), c)
	}
	for i, c := range o.Contacts {
		p := fmt.Sprintf("contacts[%d]", i)
		if strings.TrimSpace(c.Name) == "" {
			v.add(p+".name", "required", "a contact needs a name")
		}
		v.maxLen(p+".name", c.Name, 200)
		for j, ch := range c.Channels {
			v.channel(fmt.Sprintf("%s.channels[%d]", p, j), ch)
		}
	}
}

func (o *Office) refs() []ref {
	out := []ref{{"ars", KindRegion, o.RegionKey}, {"parentId", KindOffice, o.ParentID}}
	for i, a := range o.Addresses {
		out = append(out, ref{fmt.Sprintf("addresses[%d].ars", i), KindRegion, a.RegionKey})
	}
	return out
}

func (o *OnlineService) RecordKind() Kind { return KindOnlineService }

func (o *OnlineService) indexKeys() []indexKey {
	return []indexKey{originKey(&o.Meta, KindOnlineService), {idxOnlineRegion, []byte(o.RegionKey + o.ID)}}
}

func (o *OnlineService) walkTexts(fn func(string, i18n.Text) i18n.Text) {
	o.Title = fn("title", o.Title)
	o.Description = fn("description", o.Description)
	for i := range o.Links {
		o.Links[i].Title = fn(fmt.Sprintf("links[%d].title", i), o.Links[i].Title)
	}
}

func (o *OnlineService) validate(v *validator) {
	if o.Title.IsZero() {
		v.add("title", "required", "the online service needs a title")
	}
	if len(o.Links) == 0 {
		v.add("links", "required", "at least one link is required")
	}
	for i, l := range o.Links {
		v.url(fmt.Sprintf("links[%d].url", i), l.URL)
	}
	if o.TrustLevel != "" {
		v.oneOf("trustLevel", string(o.TrustLevel), TrustLow, TrustSubstantial, TrustHigh)
	}
	for i, m := range o.Identification {
		v.oneOf(fmt.Sprintf("identification[%d]", i), m, "EID", "ELSTER", "BUNDID_ACCOUNT", "EU_EID", "USERNAME_PASSWORD")
	}
	v.ars("ars", o.RegionKey)
	v.validity("validTo", o.Validity)
}

func (o *OnlineService) refs() []ref { return []ref{{"ars", KindRegion, o.RegionKey}} }

func (r *Responsibility) RecordKind() Kind { return KindResponsibility }

func (r *Responsibility) indexKeys() []indexKey {
	keys := []indexKey{originKey(&r.Meta, KindResponsibility),
		{idxRespPlace, []byte(r.LeikaKey + r.RegionKey + r.ID)},
		{idxRespRegion, []byte(r.RegionKey + r.LeikaKey + r.ID)}}
	if r.OfficeID != "" {
		keys = append(keys, indexKey{idxRespOffice, join(r.OfficeID, r.ID)})
	}
	if r.OnlineServiceID != "" {
		keys = append(keys, indexKey{idxRespOnline, join(r.OnlineServiceID, r.ID)})
	}
	return keys
}

func (r *Responsibility) walkTexts(func(string, i18n.Text) i18n.Text) {}

func (r *Responsibility) validate(v *validator) {
	v.leika("leikaKey", r.LeikaKey)
	v.ars("ars", r.RegionKey)
	if (r.OfficeID == "") == (r.OnlineServiceID == "") {
		v.add("officeId", "oneOf", "exactly one of officeId and onlineServiceId is required")
	}
	v.oneOf("role", string(r.Role), RoleResponsible, RoleContactPoint, RoleUniformContact)
	v.validity("validTo", r.Validity)
}

func (r *Responsibility) refs() []ref {
	return []ref{{"ars", KindRegion, r.RegionKey}, {"officeId", KindOffice, r.OfficeID},
		{"onlineServiceId", KindOnlineService, r.OnlineServiceID}}
}

func (s *Specialisation) RecordKind() Kind { return KindSpecialisation }

func (s *Specialisation) indexKeys() []indexKey {
	return []indexKey{originKey(&s.Meta, KindSpecialisation), {idxSpecPlace, []byte(s.LeikaKey + s.RegionKey + s.ID)}}
}

func (s *Specialisation) walkTexts(fn func(string, i18n.Text) i18n.Text) { s.Text = fn("text", s.Text) }

func (s *Specialisation) validate(v *validator) {
	v.leika("leikaKey", s.LeikaKey)
	v.ars("ars", s.RegionKey)
	v.oneOf("status", string(s.Status), StatusDraft, StatusSubmitted, StatusPublished, StatusRejected)
	if len(s.Terms) > 0 {
		if s.Module != "" || s.Mode != "" && s.Mode != ModeAppend || !s.Text.IsZero() {
			v.add("terms", "oneOf", "an addition is either a text for a module or a list of terms, not both")
		}
		v.terms("terms", s.Terms)
		return
	}
	if !knownModule(s.Module) {
		v.add("module", "module", "%q is not a LeiKa text module code", s.Module)
	}
	v.oneOf("mode", string(s.Mode), ModeAppend, ModeReplace)
	if s.Text.IsZero() {
		v.add("text", "required", "the addition needs a text")
	}
}

func (s *Specialisation) refs() []ref { return []ref{{"ars", KindRegion, s.RegionKey}} }

func (r *Region) RecordKind() Kind { return KindRegion }

func (r *Region) indexKeys() []indexKey {
	keys := []indexKey{originKey(&r.Meta, KindRegion), {idxRegionName, join(foldName(r.Name), r.ID)}}
	if r.ParentKey != "" {
		keys = append(keys, indexKey{idxRegionParent, []byte(r.ParentKey + r.ID)})
	}
	for _, p := range r.PostalCodes {
		keys = append(keys, indexKey{idxRegionPostcode, []byte(p + r.ID)})
	}
	return keys
}

func (r *Region) walkTexts(func(string, i18n.Text) i18n.Text) {}

func (r *Region) validate(v *validator) {
	if !ValidARS(r.ID) {
		v.add("ars", "format", "%q is not a 12-digit region key", r.ID)
	}
	if strings.TrimSpace(r.Name) == "" {
		v.add("name", "required", "the region needs a name")
	}
	v.oneOf("level", string(r.Level), LevelBund, LevelLand, LevelRegierungsbezirk, LevelKreis, LevelGemeindeverband, LevelGemeinde)
	if r.ParentKey != "" && !ValidARS(r.ParentKey) {
		v.add("parent", "format", "%q is not a 12-digit region key", r.ParentKey)
	}
	for i, p := range r.PostalCodes {
		v.postalCode(fmt.Sprintf("postalCodes[%d]", i), p)
	}
	v.validity("validTo", r.Validity)
}

func (r *Region) refs() []ref { return []ref{{"parent", KindRegion, r.ParentKey}} }

func (b *Bundle) RecordKind() Kind { return KindBundle }

func (b *Bundle) indexKeys() []indexKey { return []indexKey{originKey(&b.Meta, KindBundle)} }

func (b *Bundle) walkTexts(fn func(string, i18n.Text) i18n.Text) { b.Name = fn("name", b.Name) }

func (b *Bundle) validate(v *validator) {
	if b.Name.IsZero() {
		v.add("name", "required", "the bundle needs a name")
	}
	if b.ServiceCount < 0 {
		v.add("serviceCount", "range", "must not be negative")
	}
}

func (b *Bundle) refs() []ref { return nil }

func knownModule(m Module) bool {
	for _, k := range Modules {
		if k == m {
			return true
		}
	}
	return false
}
