package catalog

import (
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// LocalService is a service as it applies to one place: the central
// description merged with the additions of the place and the regions above
// it, and the offices and online services responsible there.
type LocalService struct {
	Service *Service
	Region  *Region
	// Texts are the merged text modules, in Modules order.
	Texts []MergedText
	// Offices are the responsible offices from the most specific level
	// that has any; OnlineServices likewise, resolved separately (an online
	// service of the Bund may serve a place whose office is municipal).
	Offices        []*ResponsibleOffice
	OnlineServices []*ResponsibleOnlineService
	// Terms are the service's terms in context followed by the published
	// local ones of the place and the areas above it.
	Terms []Term
}

// ResponsibleOffice is an office found for a place, with the
// responsibility that made it apply. From is the region at which the
// responsibility is recorded; when it is not the place asked for, the
// office was inherited from there.
type ResponsibleOffice struct {
	*Office
	Responsibility *Responsibility
	From           *Region
	Inherited      bool
}

// ResponsibleOnlineService is an online service found for a place, like
// ResponsibleOffice.
type ResponsibleOnlineService struct {
	*OnlineService
	Responsibility *Responsibility
	From           *Region
	Inherited      bool
}

// MergedText is one text module after local additions.
type MergedText struct {
	Module  Module
	Text    i18n.Text
	Central i18n.Text
	// Additions are the specialisations applied, most general first.
	Additions []Applied
}

// Applied is a specialisation applied to a module, with its region.
type Applied struct {
	Specialisation *Specialisation
	From           *Region
}

// LocalService resolves a service for a place. It walks from the place up
// to the Bund (municipality, association, district, administrative region,
// state, Bund): for offices and for online services the most specific level
// with a responsibility wins. Published specialisations of the place and
// every region above it are applied from the most general to the most
// specific: APPEND adds to the text so far, REPLACE replaces it. A language
// version of an addition applies only to the same language of the text.
//
// Errors: INVALID (malformed key), NOT_FOUND (unknown region, or no
// published service valid at that time for the key).
func (tx *Tx) LocalService(leika, ars string, at time.Time) (*LocalService, error) {
	if !ValidLeika(leika) {
		return nil, Invalid("leikaKey", "format", "%q is not a 14-digit LeiKa key", leika)
	}
	region, err := tx.Region(ars)
	if err != nil {
		return nil, err
	}
	svc, err := tx.ServiceForPlace(leika, ars, at)
	if err != nil {
		return nil, err
	}
	ls := &LocalService{Service: svc, Region: region}

	chain := Ancestors(ars)
	regions := map[string]*Region{ars: region}
	regionOfKey := func(k string) (*Region, error) {
		if r, ok := regions[k]; ok {
			return r, nil
		}
		r, err := getAs[Region](tx, KindRegion, k)
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return nil, err
		}
		if r == nil {
			// An association level that exists only as a key part.
			r = &Region{Meta: Meta{ID: k}, Level: LevelOf(k)}
		}
		regions[k] = r
		return r, nil
	}

	for _, k := range chain {
		if len(ls.Offices) > 0 && len(ls.OnlineServices) > 0 {
			break
		}
		var offices []*ResponsibleOffice
		var online []*ResponsibleOnlineService
		for _, id := range tx.scanIDs(idxRespPlace, []byte(leika+k)) {
			resp, err := tx.Responsibility(id)
			if err != nil {
				return nil, err
			}
			if !resp.Validity.Covers(at) {
				continue
			}
			from, err := regionOfKey(k)
			if err != nil {
				return nil, err
			}
			switch {
			case resp.OfficeID != "" && len(ls.Offices) == 0:
				o, err := tx.Office(resp.OfficeID)
				if err != nil {
					return nil, err
				}
				if o = o.At(at); o == nil {
					continue // closed on that date
				}
				offices = append(offices, &ResponsibleOffice{o, resp, from, k != ars})
			case resp.OnlineServiceID != "" && len(ls.OnlineServices) == 0:
				o, err := tx.OnlineService(resp.OnlineServiceID)
				if err != nil {
					return nil, err
				}
				if !o.Validity.Covers(at) {
					continue
				}
				online = append(online, &ResponsibleOnlineService{o, resp, from, k != ars})
			}
		}
		if len(ls.Offices) == 0 {
			ls.Offices = offices
		}
		if len(ls.OnlineServices) == 0 {
			ls.OnlineServices = online
		}
	}

	ls.Terms = append(ls.Terms, svc.Terms...)
	additions := map[Module][]Applied{}
	for i := len(chain) - 1; i >= 0; i-- {
		for _, id := range tx.scanIDs(idxSpecPlace, []byte(leika+chain[i])) {
			sp, err := tx.Specialisation(id)
			if err != nil {
				return nil, err
			}
			if sp.Status != StatusPublished {
				continue
			}
			from, err := regionOfKey(chain[i])
			if err != nil {
				return nil, err
			}
			if len(sp.Terms) > 0 {
				ls.Terms = append(ls.Terms, sp.Terms...)
				continue
			}
			additions[sp.Module] = append(additions[sp.Module], Applied{sp, from})
		}
	}
	for _, m := range Modules {
		central := svc.Texts[m]
		adds := additions[m]
		if central.IsZero() && len(adds) == 0 {
			continue
		}
		ls.Texts = append(ls.Texts, MergedText{Module: m, Text: merge(central, adds), Central: central, Additions: adds})
	}
	return ls, nil
}

// Text returns the merged text of a module (zero if the service has none).
func (ls *LocalService) Text(m Module) i18n.Text {
	for _, t := range ls.Texts {
		if t.Module == m {
			return t.Text
		}
	}
	return nil
}

func merge(central i18n.Text, adds []Applied) i18n.Text {
	if len(adds) == 0 {
		return central
	}
	out := i18n.Text{}
	for _, lang := range i18n.Supported {
		cur, ok := central[lang]
		for _, a := range adds {
			v, has := a.Specialisation.Text[lang]
			if !has || v.Value == "" {
				if a.Specialisation.Mode == ModeReplace {
					// The replacement has no text in this language: showing
					// the replaced central text would be wrong, so the
					// language falls back to German.
					ok = false
					cur = i18n.Version{}
				}
				continue
			}
			if a.Specialisation.Mode == ModeReplace || !ok || cur.Value == "" {
				cur, ok = v, true
				continue
			}
			add := v.Value
			if strings.HasPrefix(strings.TrimSpace(cur.Value), "<") && !strings.HasPrefix(strings.TrimSpace(add), "<") {
				// A plain-text addition to an HTML text becomes its own paragraph.
				add = "<p>" + add + "</p>"
			}
			cur.Value = cur.Value + "\n" + add
			if v.ChangedAt > cur.ChangedAt {
				cur.ChangedAt = v.ChangedAt
			}
		}
		if ok && cur.Value != "" {
			out[lang] = cur
		}
	}
	return out
}
