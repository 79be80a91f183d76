package demo

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

//go:embed data/*.json.gz content/*.json
var files embed.FS

// Content files besides the core services (content/core-services-*.json).
const (
	bundlesContent = "content/bundles.json"
	adminContent   = "content/administration-services.json"
	corePattern    = "content/core-services-*.json"
)

// Number ranges of the IDs of hand-written services: the core services
// from 1 in file order, the services for administrations from 1001.
const (
	firstCoreService  = 1
	firstAdminService = 1001
)

// Summary counts what Load wrote.
type Summary struct {
	Regions, Offices, Services, OnlineServices, Responsibilities, Bundles int
	LifeSituations, Concepts                                              int
	// Services is CoreServices (hand-written municipal, district and
	// state services), AdminServices (the state's help for
	// municipalities) and FederalServices (the portal network's).
	CoreServices, AdminServices, FederalServices int
}

// Load writes the demo catalogue into a store that has no services yet:
// every German region, the Hessian municipal and district administrations
// and a few state and federal authorities, the implementation bundles, the
// hand-written core services with their responsibilities, and the federal
// services of the portal network with their online services, as actor
// "demo".
//
// The load is one transaction that ends by marking the demo complete
// (Inspect reads the mark): a crash during the load leaves the store as it
// was, and the next start loads it again. A store that a load of an
// earlier version left incomplete is completed: what is missing is
// written, what is there is kept.
//
// Errors: CONFLICT when the store already has services of its own or the
// demo is complete; FORBIDDEN when the store's portal is not the demo's
// (Portal).
func Load(ctx context.Context, st *catalog.Store, log *slog.Logger) (Summary, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	// Refuse early, before the work of building; the write transaction
	// checks again, atomically with its writes.
	if err := st.View(ctx, func(tx *catalog.Tx) error { return Inspect(tx).loadable(tx) }); err != nil {
		return Summary{}, err
	}
	c, err := build(log)
	if err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	fingerprint, err := contentFingerprint()
	if err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	w := catalog.Write{Actor: "demo", Reason: "demo catalogue"}
	sum := c.summary()
	kept := 0
	err = st.Update(ctx, func(tx *catalog.Tx) error {
		state := Inspect(tx)
		if err := state.loadable(tx); err != nil {
			return err
		}
		kept = 0
		for _, group := range c.groups() {
			t0 := time.Now()
			n, err := put(ctx, tx, group.kind, group.records, w, state.Incomplete)
			kept += n
			if err != nil {
				return err
			}
			log.Info("demo: written", "kind", group.kind, "count", len(group.records), "took", time.Since(t0))
		}
		mark, err := json.Marshal(completion{Portal: Portal, Summary: sum})
		if err != nil {
			return err
		}
		if !state.Incomplete {
			// What the demo seeded of the taxonomy, for later upgrades
			// (UpgradeLifeSituations); a completed load of an earlier
			// version leaves it to the upgrade to judge from the history.
			if err := writeSeed(tx, c.newSeed(fingerprint)); err != nil {
				return err
			}
		}
		return tx.SetMark(markName, mark)
	})
	if err != nil {
		return Summary{}, fmt.Errorf("demo: %w", err)
	}
	log.Info("demo catalogue loaded", "regions", sum.Regions, "bundles", sum.Bundles, "lifeSituations", sum.LifeSituations,
		"dictionaryEntries", sum.Concepts, "services", sum.Services, "coreServices", sum.CoreServices,
		"adminServices", sum.AdminServices, "federalServices", sum.FederalServices,
		"offices", sum.Offices, "onlineServices", sum.OnlineServices, "responsibilities", sum.Responsibilities,
		"keptFromInterruptedLoad", kept, "revision", st.Revision(), "took", time.Since(start))
	return sum, nil
}

func errNotEmpty(services int) error {
	return catalog.Errorf(catalog.ECONFLICT, "the store already has %d services; the demo loads only into a store without any", services)
}

// catalogue is the whole demo in memory, ready to write.
type catalogue struct {
	regions          []*catalog.Region
	bundles          []*catalog.Bundle
	services         []*catalog.Service
	offices          []*catalog.Office
	online           []*catalog.OnlineService
	responsibilities []*catalog.Responsibility
	situations       []*catalog.LifeSituation
	situationRecs    []situationRec // the taxonomy's file records, in the order of situations
	concepts         []*catalog.Concept
	assignments      []Assignment
	// core, admin and federal count the services by source.
	core, admin, federal int
}

type group struct {
	kind    catalog.Kind
	records []catalog.Record
}

// groups returns the records in the order a load writes them, so that
// every reference points to a record written before.
func (c *catalogue) groups() []group {
	return []group{
		{catalog.KindRegion, records(c.regions)},
		{catalog.KindBundle, records(c.bundles)},
		{catalog.KindLifeSituation, records(c.situations)},
		{catalog.KindService, records(c.services)},
		{catalog.KindOffice, records(c.offices)},
		{catalog.KindOnlineService, records(c.online)},
		{catalog.KindResponsibility, records(c.responsibilities)},
		// Last, so that growing the dictionary leaves the other records'
		// revisions as they are.
		{catalog.KindConcept, records(c.concepts)},
	}
}

func (c *catalogue) summary() Summary {
	return Summary{Regions: len(c.regions), Offices: len(c.offices), Services: len(c.services),
		OnlineServices: len(c.online), Responsibilities: len(c.responsibilities), Bundles: len(c.bundles),
		LifeSituations: len(c.situations), Concepts: len(c.concepts),
		CoreServices: c.core, AdminServices: c.admin, FederalServices: c.federal}
}

func records[T catalog.Record](rs []T) []catalog.Record {
	out := make([]catalog.Record, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}

// put writes records of one kind in tx, checking ctx every 1000 records:
// the write loop of Load and of LoadScale's batches. With keep, a record
// already in the store is kept as it is (Load completing an interrupted
// load); put returns how many it kept.
func put(ctx context.Context, tx *catalog.Tx, k catalog.Kind, rs []catalog.Record, w catalog.Write, keep bool) (kept int, err error) {
	for i, r := range rs {
		if i%1000 == 0 {
			if err := ctx.Err(); err != nil {
				return kept, err
			}
		}
		id := catalog.MetaOf(r).ID
		if keep && tx.Exists(k, id) {
			kept++
			continue
		}
		if err := tx.Put(r, w); err != nil {
			return kept, fmt.Errorf("%s %s: %w", k, id, err)
		}
	}
	return kept, nil
}

// buildRegions reads the embedded region list and makes its records, with
// each region's level.
func buildRegions() ([]*catalog.Region, map[string]catalog.Level, error) {
	var rf regionsFile
	if err := readGenerated(regionsFileName, &rf); err != nil {
		return nil, nil, err
	}
	var regions []*catalog.Region
	levelOf := map[string]catalog.Level{}
	for _, r := range rf.Regions {
		reg, err := r.record()
		if err != nil {
			return nil, nil, fmt.Errorf("%s: region %s: %w", regionsFileName, r.ID, err)
		}
		levelOf[r.ID] = r.Level
		regions = append(regions, reg)
	}
	return regions, levelOf, nil
}

// LoadRegions writes the demo's region list alone, as actor "regions" (not
// "demo": Inspect takes a store whose first change is the demo's for an
// interrupted demo load): every
// German region key with its hierarchy and names (from Destatis' list, see
// Sources), the reference data a portal of any state needs to name its
// places and to mirror its peers, whose responsibilities name regions. It
// is what `serve -portal XX -regions-only` loads into an empty store: the
// rest of the demo is Hessen's (Portal). One transaction: a crash leaves
// no region, and the next start loads them again. Errors: CONFLICT when the
// store has regions already.
func LoadRegions(ctx context.Context, st *catalog.Store, log *slog.Logger) (int, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	start := time.Now()
	regions, _, err := buildRegions()
	if err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	err = st.Update(ctx, func(tx *catalog.Tx) error {
		if n := tx.Count(catalog.KindRegion); n > 0 {
			return catalog.Errorf(catalog.ECONFLICT, "the store already has %d regions", n)
		}
		_, err := put(ctx, tx, catalog.KindRegion, records(regions), catalog.Write{Actor: "regions", Reason: "region list"}, false)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	log.Info("region list loaded", "regions", len(regions), "revision", st.Revision(), "took", time.Since(start))
	return len(regions), nil
}

// build reads the embedded files and makes the records, checking what the
// store would check too late (names of bundles, duplicate keys, offices for
// every state and federal service).
func build(log *slog.Logger) (*catalogue, error) {
	var of officesFile
	var sf servicesFile
	for name, v := range map[string]any{officesFileName: &of, servicesFileName: &sf} {
		if err := readGenerated(name, v); err != nil {
			return nil, err
		}
	}
	c := &catalogue{}
	regions, levelOf, err := buildRegions()
	if err != nil {
		return nil, err
	}
	c.regions = regions

	bundleIDs, err := c.readBundles()
	if err != nil {
		return nil, err
	}
	content, err := c.readServices(bundleIDs)
	if err != nil {
		return nil, err
	}

	for _, o := range of.Offices {
		c.offices = append(c.offices, &catalog.Office{Meta: catalog.Meta{ID: o.ID}, Name: i18n.German(o.Name),
			Kind: o.Kind, RegionKey: o.RegionKey, Addresses: o.Addresses})
	}
	for _, o := range sf.OnlineServices {
		links := make([]catalog.Link, len(o.Links))
		for i, l := range o.Links {
			links[i] = catalog.Link{URL: l}
		}
		c.online = append(c.online, &catalog.OnlineService{Meta: catalog.Meta{ID: o.ID}, Title: i18n.German(o.Title),
			Links: links, RegionKey: o.RegionKey, ExternalIDs: o.ExternalIDs})
	}

	// Federal services: a key that a hand-written service describes gets no
	// second service; its external ID and online services go to that one.
	// byLeika ends with every service by its first LeiKa key.
	byLeika := map[string]*catalog.Service{}
	for _, s := range c.services {
		byLeika[s.LeikaKeys[0]] = s
	}
	online := map[string][]string{} // LeiKa key -> online service IDs
	for _, f := range sf.Services {
		key := f.LeikaKeys[0]
		if s, ok := byLeika[key]; ok {
			s.ExternalIDs = append(s.ExternalIDs, f.ExternalIDs...)
		} else {
			if f.Core {
				log.Warn("demo: no hand-written service for a core key yet; using the federal catalogue's", "leika", key)
			}
			texts := map[catalog.Module]i18n.Text{catalog.ModuleName: i18n.German(f.Name)}
			if f.CitizenName != "" {
				texts[catalog.ModuleCitizenName] = i18n.German(f.CitizenName)
			}
			s := &catalog.Service{Meta: catalog.Meta{ID: f.ID}, Status: catalog.StatusPublished, RegionKey: catalog.Bund,
				LeikaKeys: f.LeikaKeys, Texts: texts, ExternalIDs: f.ExternalIDs}
			c.services = append(c.services, s)
			c.federal++
			byLeika[key] = s
		}
		online[key] = append(online[key], f.Online...)
	}
	sort.Slice(c.services, func(i, j int) bool { return c.services[i].ID < c.services[j].ID })

	recs, situations, situationIDs, err := readSituations()
	if err != nil {
		return nil, err
	}
	c.situations, c.situationRecs = situations, recs
	if c.assignments, err = assignSituations(recs, c.services, byLeika); err != nil {
		return nil, err
	}
	applySituations(c.assignments, situationIDs, byLeika)
	if err := applyTerms(byLeika); err != nil {
		return nil, err
	}
	if c.concepts, err = readDictionary(situationIDs); err != nil {
		return nil, err
	}

	if err := c.respond(content, of.Offices, levelOf, online); err != nil {
		return nil, err
	}
	return c, nil
}

func readGenerated(name string, v any) error {
	f, err := files.Open("data/" + name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := decodeFile(f, v); err != nil {
		return fmt.Errorf("data/%s: %w", name, err)
	}
	return nil
}

func readContent(name string, v any) error {
	f, err := files.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := decodeStrict(f, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (r regionRec) record() (*catalog.Region, error) {
	reg := &catalog.Region{Meta: catalog.Meta{ID: r.ID}, Name: r.Name, Level: r.Level, ParentKey: r.Parent,
		Type: r.Type, Seat: r.Seat, PostalCodes: r.PostalCodes, Population: r.Population, SuccessorKey: r.Successor}
	if v := r.Validity; v != nil {
		for _, p := range []struct {
			s   string
			dst **time.Time
		}{{v.From, &reg.Validity.From}, {v.To, &reg.Validity.To}} {
			if p.s == "" {
				continue
			}
			t, err := time.Parse(time.DateOnly, p.s)
			if err != nil {
				return nil, err
			}
			*p.dst = &t
		}
	}
	return reg, nil
}

// readBundles reads content/bundles.json and returns bundle IDs by name.
func (c *catalogue) readBundles() (map[string]string, error) {
	var bf bundlesFile
	if err := readContent(bundlesContent, &bf); err != nil {
		return nil, err
	}
	ids := map[string]string{}
	for _, b := range bf.Bundles {
		rec, err := b.record()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", bundlesContent, err)
		}
		if _, dup := ids[b.Name]; dup {
			return nil, fmt.Errorf("%s: bundle %q twice", bundlesContent, b.Name)
		}
		ids[b.Name] = rec.ID
		c.bundles = append(c.bundles, rec)
	}
	sort.Slice(c.bundles, func(i, j int) bool { return c.bundles[i].Number < c.bundles[j].Number })
	for i := 1; i < len(c.bundles); i++ {
		if c.bundles[i].Number == c.bundles[i-1].Number {
			return nil, fmt.Errorf("%s: bundle number %d twice", bundlesContent, c.bundles[i].Number)
		}
	}
	return ids, nil
}

// contentFiles returns the hand-written service files in load order: the
// core services (sorted by name), then the services for administrations.
// Any other JSON file in content/ is an error, so that nothing written
// there is silently left out.
func contentFiles() (core []string, admin string, err error) {
	names, err := fs.Glob(files, "content/*.json")
	if err != nil {
		return nil, "", err
	}
	for _, n := range names {
		isCore, _ := path.Match(corePattern, n)
		switch {
		case isCore:
			core = append(core, n)
		case n == adminContent:
			admin = n
		case n == bundlesContent, n == situationsContent, n == dictionaryContent, n == termsContent:
		default:
			return nil, "", fmt.Errorf("%s: unknown content file (see content/FORMAT.md)", n)
		}
	}
	sort.Strings(core)
	return core, admin, nil
}

// readServices reads the hand-written services, numbers them and returns
// them by LeiKa key with their level.
func (c *catalogue) readServices(bundleIDs map[string]string) (map[string]*contentService, error) {
	core, admin, err := contentFiles()
	if err != nil {
		return nil, err
	}
	byKey := map[string]*contentService{}
	read := func(name string, first int) error {
		var cf contentFile
		if err := readContent(name, &cf); err != nil {
			return err
		}
		for i := range cf.Services {
			cs := &cf.Services[i]
			if _, dup := byKey[cs.LeikaKey]; dup {
				return fmt.Errorf("%s: LeiKa key %s is described twice", name, cs.LeikaKey)
			}
			s, err := cs.record(serviceID(first+i), bundleIDs)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", name, cs.LeikaKey, err)
			}
			byKey[cs.LeikaKey] = cs
			c.services = append(c.services, s)
			if first == firstAdminService {
				c.admin++
			} else {
				c.core++
			}
		}
		return nil
	}
	n := firstCoreService
	for _, name := range core {
		before := len(c.services)
		if err := read(name, n); err != nil {
			return nil, err
		}
		n += len(c.services) - before
	}
	if n > firstAdminService {
		return nil, fmt.Errorf("more than %d core services: move firstAdminService", firstAdminService-firstCoreService)
	}
	if admin != "" {
		if err := read(admin, firstAdminService); err != nil {
			return nil, err
		}
	}
	return byKey, nil
}

// respond makes the responsibilities: for each service in ID order, its
// offices by the service's level, then its online services at the Bund.
//
//   - municipality: every municipal administration at its municipality
//     (a district-free city's at the city's key);
//   - district: every Kreisausschuss at its Landkreis, and every
//     district-free city's administration at the city's key;
//   - state, federal: the authority that serves the key, at its region.
func (c *catalogue) respond(content map[string]*contentService, offices []officeRec, levelOf map[string]catalog.Level, online map[string][]string) error {
	var municipal, district []officeRec
	servedBy := map[string][]officeRec{}
	for _, o := range offices {
		switch o.Kind {
		case catalog.OfficeMunicipality:
			municipal = append(municipal, o)
			if levelOf[o.RegionKey] == catalog.LevelKreis {
				district = append(district, o)
			}
		case catalog.OfficeDistrict:
			district = append(district, o)
		}
		for _, k := range o.Serves {
			servedBy[k] = append(servedBy[k], o)
		}
	}
	byRegion := func(os []officeRec) { sort.Slice(os, func(i, j int) bool { return os[i].RegionKey < os[j].RegionKey }) }
	byRegion(municipal)
	byRegion(district)

	add := func(leika, ars, office, onlineService string) {
		c.responsibilities = append(c.responsibilities, &catalog.Responsibility{
			Meta:     catalog.Meta{ID: fmt.Sprintf("HE.ZS.%010d", len(c.responsibilities)+1)},
			LeikaKey: leika, RegionKey: ars, OfficeID: office, OnlineServiceID: onlineService, Role: catalog.RoleResponsible})
	}
	for _, s := range c.services {
		key := s.LeikaKeys[0]
		if cs, ok := content[key]; ok {
			var at []officeRec
			switch cs.Level {
			case levelMunicipality:
				at = municipal
			case levelDistrict:
				at = district
			default:
				at = servedBy[key]
				if len(at) == 0 {
					return fmt.Errorf("the %s service %s has no authority: add one to the authorities in gen.go and regenerate", cs.Level, key)
				}
			}
			for _, o := range at {
				add(key, o.RegionKey, o.ID, "")
			}
		}
		for _, id := range online[key] {
			add(key, catalog.Bund, "", id)
		}
	}
	return nil
}
