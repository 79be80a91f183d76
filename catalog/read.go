package catalog

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"
)

// Service returns a service by ID. NOT_FOUND if there is none.
func (tx *Tx) Service(id string) (*Service, error) { return getAs[Service](tx, KindService, id) }

// Office returns an office by ID. NOT_FOUND if there is none.
func (tx *Tx) Office(id string) (*Office, error) { return getAs[Office](tx, KindOffice, id) }

// OnlineService returns an online service by ID. NOT_FOUND if there is none.
func (tx *Tx) OnlineService(id string) (*OnlineService, error) {
	return getAs[OnlineService](tx, KindOnlineService, id)
}

// Responsibility returns a responsibility by ID. NOT_FOUND if there is none.
func (tx *Tx) Responsibility(id string) (*Responsibility, error) {
	return getAs[Responsibility](tx, KindResponsibility, id)
}

// Specialisation returns a specialisation by ID. NOT_FOUND if there is none.
func (tx *Tx) Specialisation(id string) (*Specialisation, error) {
	return getAs[Specialisation](tx, KindSpecialisation, id)
}

// Region returns a region by key. INVALID for a malformed key, NOT_FOUND
// for an unknown one.
func (tx *Tx) Region(ars string) (*Region, error) {
	if !ValidARS(ars) {
		return nil, Invalid("ars", "format", "%q is not a 12-digit region key (ARS)", ars)
	}
	return getAs[Region](tx, KindRegion, ars)
}

// Bundle returns an implementation bundle by ID.
func (tx *Tx) Bundle(id string) (*Bundle, error) { return getAs[Bundle](tx, KindBundle, id) }

// Offices returns offices by ID in the order asked; unknown IDs are left
// out. Loaders call it once per request level.
func (tx *Tx) Offices(ids []string) ([]*Office, error) { return getMany[Office](tx, KindOffice, ids) }

// OnlineServices returns online services by ID, like Offices.
func (tx *Tx) OnlineServices(ids []string) ([]*OnlineService, error) {
	return getMany[OnlineService](tx, KindOnlineService, ids)
}

// Services returns services by ID, like Offices.
func (tx *Tx) Services(ids []string) ([]*Service, error) {
	return getMany[Service](tx, KindService, ids)
}

// Regions returns regions by key, like Offices.
func (tx *Tx) Regions(keys []string) ([]*Region, error) { return getMany[Region](tx, KindRegion, keys) }

func getMany[T any, P interface {
	*T
	Record
}](tx *Tx, k Kind, ids []string) ([]*T, error) {
	out := make([]*T, 0, len(ids))
	for _, id := range ids {
		r, err := tx.record(k, id)
		if err != nil {
			return nil, err
		}
		if r != nil {
			out = append(out, (*T)(r.(P)))
		}
	}
	return out, nil
}

// ServicesByLeika returns the services carrying a LeiKa key: usually one,
// but a key may be described by this portal and mirrored from others.
// Local services come first.
func (tx *Tx) ServicesByLeika(key string) ([]*Service, error) {
	if !ValidLeika(key) {
		return nil, Invalid("leikaKey", "format", "%q is not a 14-digit LeiKa key", key)
	}
	ids := tx.scanIDs(idxServiceLeika, []byte(key))
	svcs, err := tx.Services(ids)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(svcs, func(i, j int) bool {
		return svcs[i].Origin == tx.s.portal && svcs[j].Origin != tx.s.portal
	})
	return svcs, nil
}

// ServiceByLeika returns the service a reader should see for a key on a
// date (the zero time means now): the published one valid then, preferring
// this portal's own; with drafts, a draft when nothing is published.
// NOT_FOUND otherwise.
func (tx *Tx) ServiceByLeika(key string, drafts bool, at time.Time) (*Service, error) {
	if at.IsZero() {
		at = tx.s.now()
	}
	s, err := tx.ServiceForPlace(key, tx.s.home, at)
	if err == nil || !drafts || ErrorCode(err) != ENOTFOUND {
		return s, err
	}
	svcs, err := tx.ServicesByLeika(key)
	if err != nil {
		return nil, err
	}
	for _, s := range svcs {
		if s.Status == StatusDraft {
			return s, nil
		}
	}
	return nil, Errorf(ENOTFOUND, "no service with LeiKa key %s", key)
}

// ServiceForPlace returns the published service for a key that applies at
// a place on a date: among the descriptions valid then, the one maintained
// for the most specific area containing the place (a Bavarian place sees
// Bavaria's mirrored description before the Bund's), else a local one.
// NOT_FOUND if none is published and valid.
func (tx *Tx) ServiceForPlace(key, ars string, at time.Time) (*Service, error) {
	svcs, err := tx.ServicesByLeika(key)
	if err != nil {
		return nil, err
	}
	chain := Ancestors(ars)
	rank := func(s *Service) int {
		for i, a := range chain {
			if s.RegionKey == a {
				return i
			}
		}
		if s.Origin == tx.s.portal {
			return len(chain)
		}
		return len(chain) + 1
	}
	from := func(s *Service) time.Time {
		if s.Validity.From == nil {
			return time.Time{}
		}
		return *s.Validity.From
	}
	var best *Service
	for _, s := range svcs {
		if s.Status != StatusPublished || !s.Validity.Covers(at) {
			continue
		}
		// The most specific area wins; within one area, the version that
		// took effect last (a change entered ahead with validFrom replaces
		// the current description on that day).
		if best == nil || rank(s) < rank(best) || rank(s) == rank(best) && from(s).After(from(best)) {
			best = s
		}
	}
	if best == nil {
		return nil, Errorf(ENOTFOUND, "no service with LeiKa key %s is published for %s on %s", key, ars, at.Format(time.DateOnly))
	}
	return best, nil
}

// Each calls fn for every current record of a kind in ID order until fn
// returns false or an error (records are shared in a ViewShared transaction).
func (tx *Tx) Each(k Kind, fn func(Record) (bool, error)) error {
	c := tx.bt.Bucket(recordBucket(k)).Cursor()
	for key, _ := c.First(); key != nil; key, _ = c.Next() {
		r, err := tx.record(k, string(key))
		if err != nil {
			return err
		}
		more, err := fn(r)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// Count returns how many current records of a kind there are, this
// transaction's own writes included.
func (tx *Tx) Count(k Kind) int {
	n := 0
	c := tx.bt.Bucket(recordBucket(k)).Cursor()
	for key, _ := c.First(); key != nil; key, _ = c.Next() {
		n++
	}
	return n
}

// AllServices returns every service, in ID order.
func (tx *Tx) AllServices() ([]*Service, error) {
	var out []*Service
	err := tx.Each(KindService, func(r Record) (bool, error) {
		out = append(out, r.(*Service))
		return true, nil
	})
	return out, err
}

// LeikaKeysAt returns the LeiKa keys that have a responsibility at ars or
// at any of its ancestors, the services offered at that place.
func (tx *Tx) LeikaKeysAt(ars string) map[string]bool {
	out := map[string]bool{}
	for _, a := range Ancestors(ars) {
		tx.scanKeys(idxRespRegion, []byte(a), func(k []byte) bool {
			out[string(k[12:26])] = true
			return true
		})
	}
	return out
}

// ServiceIDsInBundle returns the IDs of the services of a bundle.
func (tx *Tx) ServiceIDsInBundle(bundleID string) []string {
	return tx.scanIDs(idxServiceBundle, join(bundleID, ""))
}

// AllBundles returns the implementation bundles ordered by number.
func (tx *Tx) AllBundles() ([]*Bundle, error) {
	var out []*Bundle
	err := tx.Each(KindBundle, func(r Record) (bool, error) {
		out = append(out, r.(*Bundle))
		return true, nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out, err
}

// OfficeIDsIn returns the IDs of the offices whose region key starts with
// the given key's significant prefix (a district's key finds the offices of
// all its municipalities), in key order.
func (tx *Tx) OfficeIDsIn(ars string) ([]string, error) {
	return tx.idsIn(idxOfficeRegion, ars, 12)
}

// OnlineServiceIDsIn returns the IDs of the online services maintained in
// a region and below it, like OfficeIDsIn.
func (tx *Tx) OnlineServiceIDsIn(ars string) ([]string, error) {
	return tx.idsIn(idxOnlineRegion, ars, 12)
}

// ResponsibilityIDsIn returns the IDs of the responsibilities recorded at
// a region and below it, by region key and LeiKa key.
func (tx *Tx) ResponsibilityIDsIn(ars string) ([]string, error) {
	return tx.idsIn(idxRespRegion, ars, 12+14)
}

// Responsibilities returns responsibilities by ID, like Offices.
func (tx *Tx) Responsibilities(ids []string) ([]*Responsibility, error) {
	return getMany[Responsibility](tx, KindResponsibility, ids)
}

// idsIn scans an index keyed ars(12) ‖ … ‖ id for a region and below it;
// the ID starts at idAt.
func (tx *Tx) idsIn(index []byte, ars string, idAt int) ([]string, error) {
	if !ValidARS(ars) {
		return nil, Invalid("ars", "format", "%q is not a 12-digit region key (ARS)", ars)
	}
	var out []string
	tx.scanKeys(index, []byte(TrimARS(ars)), func(k []byte) bool {
		out = append(out, string(k[idAt:]))
		return true
	})
	return out, nil
}

// Children returns the keys of a region's direct sub-regions.
func (tx *Tx) Children(ars string) []string {
	var out []string
	tx.scanKeys(idxRegionParent, []byte(ars), func(k []byte) bool {
		out = append(out, string(k[12:]))
		return true
	})
	return out
}

// FindRegions returns the keys of regions matching a query: a postcode or
// its prefix (digits), or the start of a word of the name, umlauts folded
// ("schluchtern" and "Schlüchtern" find the same town; so does "Schluechtern").
// Names starting with the query come first, then places of this portal's
// state, then municipalities before districts and states.
func (tx *Tx) FindRegions(query string, at time.Time) ([]*Region, error) {
	q := strings.TrimSpace(query)
	if len([]rune(q)) > 100 {
		return nil, Invalid("query", "length", "at most 100 characters")
	}
	seen := map[string]bool{}
	var keys []string
	add := func(ars string) {
		if !seen[ars] {
			seen[ars] = true
			keys = append(keys, ars)
		}
	}
	switch {
	case q == "":
		tx.scanKeys(recordBucket(KindRegion), nil, func(k []byte) bool { add(string(k)); return true })
	case isDigits(q):
		if len(q) == 12 {
			add(q)
		}
		tx.scanKeys(idxRegionPostcode, []byte(q), func(k []byte) bool { add(string(k[len(k)-12:])); return true })
	default:
		forms := []string{foldName(q)}
		if alt := foldName(unspellUmlauts(q)); alt != forms[0] {
			forms = append(forms, alt)
		}
		for _, f := range forms {
			c := tx.bt.Bucket(idxRegionName).Cursor()
			for k, _ := c.First(); k != nil; k, _ = c.Next() {
				name := k[:bytes.IndexByte(k, 0)]
				if wordPrefix(string(name), f) {
					add(string(k[len(k)-12:]))
				}
			}
		}
	}
	regions, err := tx.Regions(keys)
	if err != nil {
		return nil, err
	}
	out := regions[:0]
	for _, r := range regions {
		if r.Validity.Covers(at) || q != "" && isDigits(q) && len(q) == 12 {
			out = append(out, r)
		}
	}
	rank := func(r *Region) int {
		for i, l := range []Level{LevelGemeinde, LevelKreis, LevelGemeindeverband, LevelRegierungsbezirk, LevelLand, LevelBund} {
			if r.Level == l {
				return i
			}
		}
		return 9
	}
	home := TrimARS(tx.s.home)
	folded := foldName(q)
	sort.SliceStable(out, func(i, j int) bool {
		// A name that starts with the query beats a later word of a name;
		// then places of this portal's state; then municipalities first.
		si, sj := strings.HasPrefix(foldName(out[i].Name), folded), strings.HasPrefix(foldName(out[j].Name), folded)
		if si != sj {
			return si
		}
		hi, hj := strings.HasPrefix(out[i].ID, home), strings.HasPrefix(out[j].ID, home)
		if hi != hj {
			return hi
		}
		if ri, rj := rank(out[i]), rank(out[j]); ri != rj {
			return ri < rj
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// wordPrefix reports whether q starts at a word boundary of name.
func wordPrefix(name, q string) bool {
	for i := 0; ; {
		j := strings.Index(name[i:], q)
		if j < 0 {
			return false
		}
		if i+j == 0 || name[i+j-1] == ' ' {
			return true
		}
		i += j + 1
	}
}

// unspellUmlauts turns "ue" into "ü" and so on, for queries typed on
// keyboards without umlauts.
func unspellUmlauts(s string) string {
	return strings.NewReplacer("ae", "ä", "oe", "ö", "ue", "ü", "Ae", "Ä", "Oe", "Ö", "Ue", "Ü").Replace(s)
}

// Changes returns up to limit change-log entries after revision after.
// INVALID if after is beyond the last revision.
func (tx *Tx) Changes(after uint64, limit int) ([]Change, error) {
	if after > tx.Revision() {
		return nil, Invalid("after", "range", "revision %d is in the future (last is %d)", after, tx.Revision())
	}
	var out []Change
	c := tx.bt.Bucket(bucketLog).Cursor()
	for k, v := c.Seek(u64(after + 1)); k != nil && len(out) < limit; k, v = c.Next() {
		var ch Change
		if err := json.Unmarshal(v, &ch); err != nil {
			return nil, Internal(err)
		}
		out = append(out, ch)
	}
	return out, nil
}

// Version is one stored version of a record.
type Version struct {
	Revision uint64
	Record   Record
}

// History returns every stored version of a record, oldest first.
func (tx *Tx) History(k Kind, id string) ([]Version, error) {
	var out []Version
	prefix := historyPrefix(k, id)
	var derr error
	tx.scanKeys(bucketHistory, prefix, func(key []byte) bool {
		var r Record
		if r, derr = decodeRecord(k, id, tx.bt.Bucket(bucketHistory).Get(key)); derr != nil {
			return false
		}
		out = append(out, Version{Revision: readU64(key[len(prefix):]), Record: r})
		return true
	})
	if derr != nil {
		return nil, derr
	}
	if len(out) == 0 {
		return nil, Errorf(ENOTFOUND, "%s %q has no history", k, id)
	}
	return out, nil
}

// VersionAt returns the version of a record written at revision rev.
func (tx *Tx) VersionAt(k Kind, id string, rev uint64) (Record, error) {
	b := tx.bt.Bucket(bucketHistory).Get(historyKey(k, id, rev))
	if b == nil {
		return nil, Errorf(ENOTFOUND, "%s %q has no version at revision %d", k, id, rev)
	}
	return decodeRecord(k, id, b)
}

// LeikaKeysWithOnline returns the LeiKa keys that have a responsibility
// with an online service anywhere.
func (tx *Tx) LeikaKeysWithOnline() (map[string]bool, error) {
	out := map[string]bool{}
	var ids []string
	tx.scanKeys(idxRespOnline, nil, func(k []byte) bool {
		ids = append(ids, string(k[bytes.IndexByte(k, 0)+1:]))
		return true
	})
	resps, err := getMany[Responsibility](tx, KindResponsibility, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range resps {
		out[r.LeikaKey] = true
	}
	return out, nil
}

// Now returns the store's idea of now.
func (tx *Tx) Now() time.Time { return tx.s.now() }

// Exists reports whether a record of a kind with that ID exists, without
// decoding it.
func (tx *Tx) Exists(k Kind, id string) bool { return tx.raw(k, id) != nil }

// ResponsibilityPlaces returns the region keys where the service with a
// LeiKa key has a responsibility (whatever its validity), sorted and
// without repeats, and whether one of the responsibilities is an online
// service. The search index reads it for the region filter and the online
// facet.
func (tx *Tx) ResponsibilityPlaces(leika string) (ars []string, online bool, err error) {
	prefix := []byte(leika)
	var ids []string
	tx.scanKeys(idxRespPlace, prefix, func(k []byte) bool {
		a := string(k[len(prefix) : len(prefix)+12])
		if len(ars) == 0 || ars[len(ars)-1] != a {
			ars = append(ars, a)
		}
		ids = append(ids, string(k[len(prefix)+12:]))
		return true
	})
	for _, id := range ids {
		r, err := tx.record(KindResponsibility, id)
		if err != nil {
			return nil, false, err
		}
		if r != nil && r.(*Responsibility).OnlineServiceID != "" {
			online = true
			break
		}
	}
	return ars, online, nil
}

// HasResponsibilityIn reports whether a responsibility lies in the area of
// a region key (its significant prefix: a state's key covers the state).
func (tx *Tx) HasResponsibilityIn(ars string) bool {
	prefix := []byte(TrimARS(ars))
	k, _ := tx.bt.Bucket(idxRespRegion).Cursor().Seek(prefix)
	return k != nil && bytes.HasPrefix(k, prefix)
}

// VersionBefore returns the version of a record that was current just
// before revision rev: the one a change at rev replaced or deleted. Nil
// when there was none, or when compaction has removed it.
func (tx *Tx) VersionBefore(k Kind, id string, rev uint64) (Record, error) {
	prefix := historyPrefix(k, id)
	c := tx.bt.Bucket(bucketHistory).Cursor()
	key, _ := c.Seek(historyKey(k, id, rev))
	if key == nil {
		key, _ = c.Last()
	} else {
		key, _ = c.Prev()
	}
	if key == nil || !bytes.HasPrefix(key, prefix) || len(key) != len(prefix)+8 {
		return nil, nil
	}
	return tx.VersionAt(k, id, readU64(key[len(prefix):]))
}
