package catalog

import (
	"bytes"
	"slices"
	"time"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// ServiceListFilter selects services for ListServices. Zero fields select
// everything.
type ServiceListFilter struct {
	Addressee Addressee
	Category  string
	// BundleID keeps the services of an implementation bundle.
	BundleID string
	// LifeSituationID keeps the services assigned to a life situation.
	LifeSituationID string
	// ARS keeps the services with a responsibility at this place or above.
	ARS string
	// HasOnline keeps the services with (true) or without (false) an
	// online service.
	HasOnline *bool
	// Lang is the language whose names give the order (German when a
	// service has no name in it); "" is German.
	Lang string
	// Unpublished lists drafts and archived descriptions too: for the
	// editorial office (see Principal.SeesDrafts).
	Unpublished bool
}

// Page is a window of a list: Limit items from Offset. With Count, the
// list is counted to its end (ServicePage.Total); without, the scan stops
// once it knows whether there is more.
type Page struct {
	Offset, Limit int
	Count         bool
}

// ServicePage is one page of ListServices.
type ServicePage struct {
	Services []*Service
	// Total is the number of services the filter selects; -1 when the page
	// did not ask for the count.
	Total int
	// More reports whether services follow the page.
	More bool
}

// ListServices returns the services a filter selects, in German collation
// order of their names in the filter's language (Ä with A), one page of
// them. It walks the name index (idx.service.name) from the start and
// stops after the page unless asked to count, so no request loads,
// filters and sorts the whole catalogue; records come from the decode
// cache in a shared read transaction.
//
// Errors: INVALID (malformed ARS, negative page), NOT_FOUND (unknown ARS).
func (tx *Tx) ListServices(f ServiceListFilter, pg Page) (*ServicePage, error) {
	if pg.Offset < 0 || pg.Limit < 0 {
		return nil, Invalid("first", "range", "a page is not negative")
	}
	var at, online map[string]bool
	if f.ARS != "" {
		if _, err := tx.Region(f.ARS); err != nil {
			return nil, err
		}
		at = tx.LeikaKeysAt(f.ARS)
	}
	if f.HasOnline != nil {
		var err error
		if online, err = tx.LeikaKeysWithOnline(); err != nil {
			return nil, err
		}
	}
	var inBundle map[string]bool
	if f.BundleID != "" {
		inBundle = map[string]bool{}
		for _, id := range tx.ServiceIDsInBundle(f.BundleID) {
			inBundle[id] = true
		}
	}
	var inSituation map[string]bool
	if f.LifeSituationID != "" {
		inSituation = map[string]bool{}
		for _, id := range tx.ServicesInSituation(f.LifeSituationID) {
			inSituation[id] = true
		}
	}
	anyKey := func(s *Service, set map[string]bool) bool {
		for _, k := range s.LeikaKeys {
			if set[k] {
				return true
			}
		}
		return false
	}
	keep := func(s *Service) bool {
		switch {
		case f.Addressee != "" && !slices.Contains(s.Addressees, f.Addressee),
			f.Category != "" && !slices.Contains(s.Categories, f.Category),
			inBundle != nil && !inBundle[s.ID],
			inSituation != nil && !inSituation[s.ID],
			at != nil && !anyKey(s, at),
			f.HasOnline != nil && anyKey(s, online) != *f.HasOnline:
			return false
		}
		return true
	}

	lang := i18n.DE
	if f.Lang == i18n.EN {
		lang = i18n.EN
	}
	prefixes := [][]byte{[]byte(lang + "P")}
	if f.Unpublished {
		// Both ranges, merged in name order below.
		prefixes = append(prefixes, []byte(lang+"-"))
	}
	out := &ServicePage{Total: -1}
	n := 0
	err := tx.eachByName(prefixes, func(id string) (bool, error) {
		r, err := tx.record(KindService, id)
		if err != nil || r == nil {
			return err == nil, err
		}
		s := r.(*Service)
		if !keep(s) {
			return true, nil
		}
		switch {
		case n < pg.Offset:
		case n < pg.Offset+pg.Limit:
			out.Services = append(out.Services, s)
		default:
			out.More = true
			if !pg.Count {
				return false, nil
			}
		}
		n++
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	if pg.Count {
		out.Total = n
	}
	return out, nil
}

// eachByName calls fn with the IDs of the name index under the prefixes,
// merged in key order after the prefix (name order), until fn returns
// false or an error.
func (tx *Tx) eachByName(prefixes [][]byte, fn func(id string) (bool, error)) error {
	type head struct {
		prefix []byte
		key    []byte
		next   func() ([]byte, []byte)
	}
	var heads []*head
	for _, p := range prefixes {
		c := tx.bt.Bucket(idxServiceName).Cursor()
		k, _ := c.Seek(p)
		heads = append(heads, &head{prefix: p, key: k, next: c.Next})
	}
	for {
		var best *head
		for _, h := range heads {
			if h.key == nil || !bytes.HasPrefix(h.key, h.prefix) {
				continue
			}
			if best == nil || bytes.Compare(h.key[len(h.prefix):], best.key[len(best.prefix):]) < 0 {
				best = h
			}
		}
		if best == nil {
			return nil
		}
		more, err := fn(nameKeyID(best.key))
		if err != nil || !more {
			return err
		}
		best.key, _ = best.next()
	}
}

// SeesDrafts reports whether p may read drafts and archived service
// descriptions: the state editorial office, which writes them.
func (p *Principal) SeesDrafts() bool { return p != nil && p.Role == AccessStateEditor }

// VisibleService returns the service with an ID, or else the one a reader
// should see for a LeiKa key on a date (see ServiceByLeika), as p may see
// it: a draft or an archived description only when p.SeesDrafts.
//
// Errors: INVALID (neither id nor key, malformed key), NOT_FOUND (none, or
// none p may see).
func (tx *Tx) VisibleService(p *Principal, id, leika string, at time.Time) (*Service, error) {
	var s *Service
	var err error
	switch {
	case id != "":
		s, err = tx.Service(id)
	case leika != "":
		s, err = tx.ServiceByLeika(leika, p.SeesDrafts(), at)
	default:
		return nil, Invalid("id", "required", "give id or leikaKey")
	}
	if err != nil {
		return nil, err
	}
	if s.Status != StatusPublished && !p.SeesDrafts() {
		return nil, Errorf(ENOTFOUND, "service %q not found", s.ID)
	}
	return s, nil
}

// BundleServices returns the published services of an implementation
// bundle, in ID order.
func (tx *Tx) BundleServices(bundleID string) ([]*Service, error) {
	svcs, err := tx.Services(tx.ServiceIDsInBundle(bundleID))
	if err != nil {
		return nil, err
	}
	out := svcs[:0]
	for _, s := range svcs {
		if s.Status == StatusPublished {
			out = append(out, s)
		}
	}
	return out, nil
}
