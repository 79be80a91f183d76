package graph

import (
	"sync"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
	"github.com/leistungsfinder/leistungsfinder/search"
)

// hitServices keeps the services that search hits showed, with whether
// each has a name in German and in English, for as long as the store's
// revision stays the same. Every write to a record appends to the change
// log in the same transaction (the log is what the search index and the
// federation feed follow), so a read transaction at the same revision sees
// the same records: a hit seen at that revision needs no store read. The
// store's own decode cache (catalog.recordCache) compares each record's
// bytes instead, a lookup in bbolt, a lock and a comparison per hit, about
// a tenth of a search's CPU outside the engine.
type hitServices struct {
	mu  sync.RWMutex
	rev uint64
	m   map[string]hitService
}

type hitService struct {
	svc   *catalog.Service // shared and read-only, as ViewShared's records
	names *hitNames
}

// hitNames are what a hit shows of its service's name in German and in
// English: its name (the Service's name resolver) and whether it has one
// in that language (hasName, SearchHit.languageFallback).
type hitNames struct {
	nameDE, nameEN   string
	namedDE, namedEN bool
}

// maxHitServices bounds the cache; it starts again empty when full. The
// services it holds are those the store's decode cache holds too, unless
// that dropped them.
const maxHitServices = 4096

func newHitService(s *catalog.Service) hitService {
	name := s.Name()
	de, _, _ := name.Pick(i18n.DE)
	en, _, _ := name.Pick(i18n.EN)
	return hitService{svc: s, names: &hitNames{nameDE: de.Value, nameEN: en.Value,
		namedDE: hasName(s, i18n.DE), namedEN: hasName(s, i18n.EN)}}
}

// named is hasName(h.svc, lang).
func (h hitService) named(lang string) bool {
	switch lang {
	case i18n.DE:
		return h.names.namedDE
	case i18n.EN:
		return h.names.namedEN
	}
	return hasName(h.svc, lang)
}

// name is the service's name in lang, as plain(ctx, s.Name()) gives it
// for a request in lang; false for a language it does not keep.
func (n *hitNames) name(lang string) (string, bool) {
	switch {
	case n == nil:
		return "", false
	case lang == i18n.DE:
		return n.nameDE, true
	case lang == i18n.EN:
		return n.nameEN, true
	}
	return "", false
}

// lookup fills out[i] with the service of hits[i] if it was seen at
// revision rev; out[i].svc stays nil for the others.
func (c *hitServices) lookup(rev uint64, hits []search.Hit, out []hitService) {
	if c == nil {
		return
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.rev != rev {
		return
	}
	for i, h := range hits {
		out[i] = c.m[h.ServiceID]
	}
}

// add records services read at revision rev, by the IDs they were read by.
func (c *hitServices) add(rev uint64, ids []string, hs []hitService) {
	if c == nil || len(hs) == 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case rev < c.rev:
		return // read in an older snapshot than the one kept
	case rev > c.rev || c.m == nil || len(c.m)+len(hs) > maxHitServices:
		c.rev, c.m = rev, make(map[string]hitService, len(hs))
	}
	for i, h := range hs {
		c.m[ids[i]] = h
	}
}
