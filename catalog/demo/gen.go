package demo

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// The sources Generate reads, below the shared data directory, each with its
// "as of" exactly as data/README.md states it (Generate checks that it does).
var (
	srcARS      = source{"regions/ars-2024-10-31.csv", "Destatis region key list 2024-10-31"}
	srcLaender  = source{"regions/gv100-2017-laender.ndjson", "Destatis GV100, 2017-03-31"}
	srcRegBez   = source{"regions/gv100-2017-regierungsbezirke.ndjson", "Destatis GV100, 2017-03-31"}
	srcKreise   = source{"regions/gv100-2017-kreise.ndjson", "Destatis GV100, 2017-03-31"}
	srcAdmins   = source{"offices/hessen-gemeindeverwaltungen-2011.csv", "Destatis municipality directory, 2011-12-31"}
	srcPVOG     = source{"catalog/pvog-bund-2025-01-20.csv", "PVOG Suchdienst CSV export for ARS 000000000000, 2025-01-20"}
	srcCoreKeys = source{"catalog/core-services.csv", "LeiKa names from the NRW OZG database (2019-2021) and current portal-network titles (2026); where a key changed, the current one"}
	srcReform   = source{"README.md", "Hanau became district-free on 2026-01-01 (064350014014 → 064150000000)"}
)

// reform is a territorial change after the date of the region key list.
type reform struct {
	oldKey, oldValidTo       string
	newKey, newName, newType string
	newValidFrom, newSeat    string
	newLevel                 catalog.Level
}

// reforms are the changes data/README.md documents. The old key stays as a
// historic region with its successor; the new one starts the day after.
var reforms = []reform{{
	oldKey: "064350014014", oldValidTo: "2025-12-31",
	newKey: "064150000000", newName: "Hanau", newType: "Kreisfreie Stadt", newSeat: "Hanau",
	newValidFrom: "2026-01-01", newLevel: catalog.LevelKreis,
}}

// authority is a state or federal office of the demo. Which authority is
// responsible for which service is the developers' simplification for the
// demo (the level comes from core-services.csv); names are the real bodies.
// Where an authority has one seat in Hessen, its postal address carries the
// seat town and the postcode of that town's administration from the 2011
// list (no street: there is no source for it). Authorities with many
// offices and no single seat (the six Ämter für Versorgung und Soziales,
// the tax offices, the Studierendenwerke, the Familienkasse, the
// Hauptzollämter) get no address rather than an invented one.
type authority struct {
	number    int
	name      string
	kind      catalog.OfficeKind
	regionKey string
	seat      string
	serves    []string
}

var authorities = []authority{
	{2000001, "Hessisches Amt für Versorgung und Soziales", catalog.OfficeState, "060000000000", "",
		[]string{"99015007012000", "99041006017000"}}, // Schwerbehindertenausweis, Elterngeld
	{2000002, "Hessische Finanzverwaltung – Finanzamt", catalog.OfficeState, "060000000000", "",
		[]string{"99102036011000"}}, // ELStAM
	{2000003, "Studierendenwerk – Amt für Ausbildungsförderung", catalog.OfficeState, "060000000000", "",
		[]string{"99022001017003"}}, // BAföG
	{2000004, "Hessisches Ministerium für Digitalisierung und Innovation", catalog.OfficeState, "060000000000", "Wiesbaden",
		[]string{"99999999900005", "99999999900006", "99999999900007", "99999999900008"}}, // model municipalities, IKZ, Starke Heimat, Hessen-Finder
	{2000005, "ekom21 – KGRZ Hessen", catalog.OfficeOther, "060000000000", "Gießen",
		[]string{"99999999900001", "99999999900002", "99999999900003", "99999999900004"}}, // the seed: ekom21 gives the consulting modules 1-4
	{3000001, "Familienkasse der Bundesagentur für Arbeit", catalog.OfficeFederal, catalog.Bund, "",
		[]string{"99041008017000", "99107016017000"}}, // Kindergeld, Kinderzuschlag
	{3000002, "Hauptzollamt", catalog.OfficeFederal, catalog.Bund, "",
		[]string{"99102015111000"}}, // Kraftfahrzeugsteuer
}

// Number ranges of the generated IDs (HE.<type>.<10 digits>).
const (
	firstMunicipalOffice = 1
	firstDistrictOffice  = 1000001
	firstFederalService  = 5000001
	firstFederalOnline   = 5000001
)

// districtsNamedKreis are the Hessian Landkreise whose official name is
// "Kreis …" rather than "Landkreis …"; GV100 gives only the short name.
var districtsNamedKreis = map[string]bool{"Bergstraße": true, "Offenbach": true}

// kreisTypes maps GV100 district types to their official German names.
var kreisTypes = map[string]string{
	"landkreis":        "Landkreis",
	"kreisfreie-stadt": "Kreisfreie Stadt",
	"kreis":            "Kreis",
	"stadtkreis":       "Stadtkreis",
	"regionalverband":  "Regionalverband",
}

// Generate reads the shared data in dataDir (../shared/data) and writes the
// demo's own files into outDir: regions.json.gz, offices.json.gz and
// federal-services.json.gz. The output is deterministic: the same input
// gives the same bytes.
func Generate(dataDir, outDir string, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	g := &generator{dir: dataDir, log: log}
	if err := g.checkReadme(); err != nil {
		return err
	}
	if err := g.read(); err != nil {
		return err
	}
	regions, err := g.regions()
	if err != nil {
		return err
	}
	offices, err := g.offices()
	if err != nil {
		return err
	}
	services, online, err := g.services()
	if err != nil {
		return err
	}

	files := []struct {
		name string
		src  []source
		list []namedList
	}{
		{regionsFileName, []source{srcARS, srcLaender, srcRegBez, srcKreise, srcAdmins, srcReform}, []namedList{list("regions", regions)}},
		{officesFileName, []source{srcAdmins, srcARS, srcKreise, srcReform, srcCoreKeys}, []namedList{list("offices", offices)}},
		{servicesFileName, []source{srcPVOG, srcCoreKeys}, []namedList{list("services", services), list("onlineServices", online)}},
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	for _, f := range files {
		b, err := encodeFile(f.src, f.list...)
		if err != nil {
			return fmt.Errorf("encode %s: %w", f.name, err)
		}
		if err := writeAtomic(filepath.Join(outDir, f.name), b); err != nil {
			return err
		}
		log.Info("wrote", "file", f.name, "bytes", len(b))
	}
	log.Info("demo data generated",
		"regions", len(regions), "offices", len(offices), "federalServices", len(services),
		"coreOverlaps", g.stats.coreOverlaps, "onlineServices", len(online), "links", g.stats.links,
		"invalidLinks", g.stats.invalidLinks, "quotesUnescaped", g.stats.quoteFixes,
		"administrationsWithoutKey", g.stats.adminsWithoutKey)
	return nil
}

type generator struct {
	dir string
	log *slog.Logger

	arsNames map[string]string // ARS -> name, from the key list
	laender  []gv100Rec
	regBez   []gv100Rec
	kreise   []gv100Rec
	admins   []adminRow
	coreKeys map[string]string // LeiKa key -> level_in_hessen_demo
	pvog     []pvogRow

	// agsARS maps a Hessian AGS (8 digits) to its ARS in the key list.
	agsARS map[string]string

	stats struct {
		coreOverlaps, links, invalidLinks, quoteFixes, adminsWithoutKey int
	}
}

// checkReadme makes sure every "as of" written into the files is the one
// data/README.md states, so that the two cannot drift apart.
func (g *generator) checkReadme() error {
	b, err := os.ReadFile(filepath.Join(g.dir, "README.md"))
	if err != nil {
		return err
	}
	readme := strings.ReplaceAll(string(b), "`", "")
	for _, s := range []source{srcARS, srcLaender, srcRegBez, srcKreise, srcAdmins, srcPVOG, srcCoreKeys, srcReform} {
		if !strings.Contains(readme, s.AsOf) {
			return fmt.Errorf("data/README.md does not say %q (for %s): update the source table in gen.go", s.AsOf, s.File)
		}
	}
	return nil
}

func (g *generator) read() error {
	var err error
	if g.arsNames, err = readARS(filepath.Join(g.dir, srcARS.File)); err != nil {
		return err
	}
	if g.laender, err = readGV100(filepath.Join(g.dir, srcLaender.File), "land", 2); err != nil {
		return err
	}
	if g.regBez, err = readGV100(filepath.Join(g.dir, srcRegBez.File), "regierungsbezirk", 3); err != nil {
		return err
	}
	if g.kreise, err = readGV100(filepath.Join(g.dir, srcKreise.File), "kreis", 5); err != nil {
		return err
	}
	if g.admins, err = readAdmins(filepath.Join(g.dir, srcAdmins.File)); err != nil {
		return err
	}
	if g.coreKeys, err = readCoreKeys(filepath.Join(g.dir, srcCoreKeys.File)); err != nil {
		return err
	}
	if g.pvog, g.stats.quoteFixes, err = readPVOG(filepath.Join(g.dir, srcPVOG.File)); err != nil {
		return err
	}
	g.agsARS = map[string]string{}
	for k := range g.arsNames {
		if !strings.HasPrefix(k, "06") {
			continue
		}
		ags := k[:5] + k[9:]
		if prev, dup := g.agsARS[ags]; dup {
			return fmt.Errorf("%s: keys %s and %s share the municipality key %s", srcARS.File, prev, k, ags)
		}
		g.agsARS[ags] = k
	}
	g.log.Info("read sources", "keys", len(g.arsNames), "laender", len(g.laender), "regierungsbezirke", len(g.regBez),
		"kreise", len(g.kreise), "administrations", len(g.admins), "coreServices", len(g.coreKeys), "pvogRows", len(g.pvog))
	return nil
}

// regions builds every region: Bund, Länder, Regierungsbezirke and Kreise
// from GV100, every key of the key list, the Hessian postcodes and
// populations from the 2011 list, and the reforms.
func (g *generator) regions() ([]regionRec, error) {
	byKey := map[string]*regionRec{}
	add := func(r *regionRec) error {
		if _, dup := byKey[r.ID]; dup {
			return fmt.Errorf("region %s twice", r.ID)
		}
		byKey[r.ID] = r
		return nil
	}
	if g.arsNames[catalog.Bund] == "" {
		return nil, fmt.Errorf("%s: no row for the Bund (%s)", srcARS.File, catalog.Bund)
	}
	_ = add(&regionRec{ID: catalog.Bund, Name: "Bundesrepublik Deutschland", Level: catalog.LevelBund})

	// A Regierungsbezirk or Kreis of 2017 that has no key under it in the
	// current list was dissolved since (Eisenach, 2021): leave it out.
	inUse := map[string]bool{}
	for k := range g.arsNames {
		inUse[k[:3]], inUse[k[:5]] = true, true
	}
	for _, l := range g.laender {
		if err := add(&regionRec{ID: pad(l.key), Name: l.Name, Level: catalog.LevelLand, Seat: l.Seat}); err != nil {
			return nil, err
		}
	}
	for _, rb := range g.regBez {
		if !inUse[rb.key] {
			g.log.Warn("Regierungsbezirk without municipalities left out", "key", rb.key, "name", rb.Name)
			continue
		}
		if err := add(&regionRec{ID: pad(rb.key), Name: rb.Name, Level: catalog.LevelRegierungsbezirk, Seat: rb.Seat}); err != nil {
			return nil, err
		}
	}
	for _, k := range g.kreise {
		if !inUse[k.key] {
			g.log.Warn("Kreis without municipalities left out (dissolved after 2017)", "key", k.key, "name", k.Name)
			continue
		}
		if _, ok := byKey[pad(k.key)]; ok {
			continue // a city state (Hamburg 02000, Berlin 11000): the Land is the region
		}
		typ, ok := kreisTypes[k.Type.Name]
		if !ok {
			return nil, fmt.Errorf("%s: Kreis %s has unknown type %q", srcKreise.File, k.key, k.Type.Name)
		}
		if err := add(&regionRec{ID: pad(k.key), Name: k.Name, Level: catalog.LevelKreis, Type: typ, Seat: k.Seat}); err != nil {
			return nil, err
		}
	}
	for key, name := range g.arsNames {
		if key == catalog.Bund {
			continue
		}
		if r, ok := byKey[key]; ok {
			// A key that is a Land (Berlin, Hamburg) keeps the Land's name;
			// a district-free city keeps its Kreis record, named like the city.
			if r.Level == catalog.LevelKreis {
				r.Name = name
			}
			continue
		}
		r := &regionRec{ID: key, Name: name, Level: catalog.LevelOf(key)}
		if r.Level == catalog.LevelKreis {
			r.Type = "Kreisfreie Stadt"
		}
		_ = add(r)
	}

	// Hessian municipalities: postcode of the administration and population.
	for _, a := range g.admins {
		key, ok := g.agsARS[a.ags]
		if !ok {
			continue // reported by offices()
		}
		r := byKey[key]
		r.PostalCodes = []string{a.postcode}
		r.Population = a.population
		if r.Level == catalog.LevelGemeinde {
			r.Type = a.typ
		}
	}

	for _, rf := range reforms {
		old, ok := byKey[rf.oldKey]
		if !ok {
			return nil, fmt.Errorf("reform: region %s not in the key list", rf.oldKey)
		}
		old.Validity = &validityRec{To: rf.oldValidTo}
		old.Successor = rf.newKey
		n := &regionRec{ID: rf.newKey, Name: rf.newName, Level: rf.newLevel, Type: rf.newType, Seat: rf.newSeat,
			PostalCodes: old.PostalCodes, Population: old.Population, Validity: &validityRec{From: rf.newValidFrom}}
		if err := add(n); err != nil {
			return nil, fmt.Errorf("reform: %w", err)
		}
	}

	out := make([]regionRec, 0, len(byKey))
	for _, r := range byKey {
		if r.ID != catalog.Bund {
			for _, a := range catalog.Ancestors(r.ID)[1:] {
				if _, ok := byKey[a]; ok {
					r.Parent = a
					break
				}
			}
			if r.Parent == "" {
				return nil, fmt.Errorf("region %s has no parent", r.ID)
			}
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	counts := map[catalog.Level]int{}
	for _, r := range out {
		counts[r.Level]++
	}
	g.log.Info("regions", "total", len(out), "laender", counts[catalog.LevelLand], "regierungsbezirke", counts[catalog.LevelRegierungsbezirk],
		"kreise", counts[catalog.LevelKreis], "gemeinden", counts[catalog.LevelGemeinde])
	return out, nil
}

// successor returns the key that replaced key in a reform, or key.
func successor(key string) string {
	for _, rf := range reforms {
		if rf.oldKey == key {
			return rf.newKey
		}
	}
	return key
}

// offices builds one office per Hessian municipal administration, one
// Kreisausschuss per Landkreis and the state and federal authorities.
func (g *generator) offices() ([]officeRec, error) {
	var municipal []officeRec
	for _, a := range g.admins {
		key, ok := g.agsARS[a.ags]
		if !ok {
			g.stats.adminsWithoutKey++
			g.log.Warn("administration left out: its municipality has no key in the current list (merged or dissolved)",
				"ags", a.ags, "administration", a.administration)
			continue
		}
		key = successor(key)
		municipal = append(municipal, officeRec{
			Name: a.administration, Kind: catalog.OfficeMunicipality, RegionKey: key,
			Addresses: []catalog.Address{{Kind: catalog.AddressVisitor, Street: a.street, PostalCode: a.postcode, City: a.city, RegionKey: key}},
		})
	}
	sort.Slice(municipal, func(i, j int) bool { return municipal[i].RegionKey < municipal[j].RegionKey })
	for i := range municipal {
		municipal[i].ID = officeID(firstMunicipalOffice + i)
		if i > 0 && municipal[i].RegionKey == municipal[i-1].RegionKey {
			return nil, fmt.Errorf("two administrations for %s", municipal[i].RegionKey)
		}
	}

	var district []officeRec
	for _, k := range g.kreise {
		if !strings.HasPrefix(k.key, "06") || k.Type.Name != "landkreis" {
			continue
		}
		seat, err := g.seat(k.Seat, k.key)
		if err != nil {
			return nil, fmt.Errorf("seat of Kreis %s %s: %w", k.key, k.Name, err)
		}
		district = append(district, officeRec{
			ID: officeID(firstDistrictOffice + len(district)), Name: kreisausschuss(k.Name), Kind: catalog.OfficeDistrict, RegionKey: pad(k.key),
			Addresses: []catalog.Address{seat},
		})
	}

	if err := g.checkAuthorities(); err != nil {
		return nil, err
	}
	var other []officeRec
	for _, au := range authorities {
		o := officeRec{ID: officeID(au.number), Name: au.name, Kind: au.kind, RegionKey: au.regionKey, Serves: au.serves}
		if au.seat != "" {
			addr, err := g.seat(au.seat, "")
			if err != nil {
				return nil, fmt.Errorf("seat of %s: %w", au.name, err)
			}
			o.Addresses = []catalog.Address{addr}
		}
		other = append(other, o)
	}

	out := append(append(municipal, district...), other...)
	g.log.Info("offices", "total", len(out), "municipal", len(municipal), "district", len(district), "stateAndFederal", len(other),
		"administrationsWithoutKey", g.stats.adminsWithoutKey)
	return out, nil
}

// checkAuthorities makes sure that every state- and federal-level service of
// core-services.csv has exactly one authority of that level, and that the
// authorities serve nothing else than those and the project's own demo keys.
func (g *generator) checkAuthorities() error {
	servedBy := map[string]authority{}
	for _, au := range authorities {
		for _, k := range au.serves {
			if _, dup := servedBy[k]; dup {
				return fmt.Errorf("authorities: %s is served twice", k)
			}
			servedBy[k] = au
			level, inCSV := g.coreKeys[k]
			switch {
			case !inCSV && !strings.HasPrefix(k, "999999999"):
				return fmt.Errorf("authorities: %s (%s) is neither in %s nor a demo key", k, au.name, srcCoreKeys.File)
			case inCSV && level != "state" && level != "federal":
				return fmt.Errorf("authorities: %s is a %s service, not a state or federal one", k, level)
			case inCSV && (level == "federal") != (au.regionKey == catalog.Bund):
				return fmt.Errorf("authorities: %s is a %s service but %s is at %s", k, level, au.name, au.regionKey)
			}
		}
	}
	for k, level := range g.coreKeys {
		if _, ok := servedBy[k]; !ok && (level == "state" || level == "federal") {
			return fmt.Errorf("authorities: the %s service %s has no authority", level, k)
		}
	}
	return nil
}

// seat returns a city-only postal address for a seat town: the postcode of
// the town's administration in the 2011 list. For a district it looks in
// the district first, then among the district-free cities (the seat of the
// Landkreis Kassel is the city of Kassel).
func (g *generator) seat(town, kreis string) (catalog.Address, error) {
	want := strings.Fields(fold(town))
	var inKreis, free, all []adminRow
	for _, a := range g.admins {
		if !townMatches(want, strings.Fields(fold(a.city))) {
			continue
		}
		all = append(all, a)
		switch {
		case kreis != "" && strings.HasPrefix(a.ags, kreis):
			inKreis = append(inKreis, a)
		case a.typ == "Kreisfreie Stadt":
			free = append(free, a)
		}
	}
	candidates := all
	if kreis != "" {
		candidates = inKreis
		if len(candidates) == 0 {
			candidates = free
		}
	}
	if len(candidates) != 1 {
		return catalog.Address{}, fmt.Errorf("%d towns in %s match %q", len(candidates), srcAdmins.File, town)
	}
	a := candidates[0]
	key, ok := g.agsARS[a.ags]
	if !ok {
		return catalog.Address{}, fmt.Errorf("seat %s has no region key", a.city)
	}
	return catalog.Address{Kind: catalog.AddressPostal, PostalCode: a.postcode, City: a.city, RegionKey: successor(key)}, nil
}

// townMatches reports whether every word of a seat name starts the word at
// the same place of a town name ("hofheim a t" matches "hofheim am
// taunus", "bad homburg" matches "bad homburg v d hohe").
func townMatches(seat, town []string) bool {
	if len(seat) == 0 || len(seat) > len(town) {
		return false
	}
	for i, w := range seat {
		if !strings.HasPrefix(town[i], w) {
			return false
		}
	}
	return true
}

// kreisausschuss names the administration of a Hessian Landkreis, its
// Kreisausschuss, with the district's official name in the genitive.
func kreisausschuss(name string) string {
	switch {
	case strings.HasSuffix(strings.ToLower(name), "kreis"):
		return "Kreisausschuss des " + name + "es"
	case districtsNamedKreis[name]:
		return "Kreisausschuss des Kreises " + name
	default:
		return "Kreisausschuss des Landkreises " + name
	}
}

// services builds the federal services of the PVOG export, one per ID-LB,
// and their online services, one per ID-OD with its valid links.
func (g *generator) services() ([]federalServiceRec, []onlineServiceRec, error) {
	type odAcc struct {
		id, title string
		links     []string
	}
	ods := map[string]*odAcc{}
	type lbAcc struct {
		row pvogRow
		ods []string
	}
	lbs := map[string]*lbAcc{}
	for _, r := range g.pvog {
		lb, ok := lbs[r.idLB]
		if !ok {
			lb = &lbAcc{row: r}
			lbs[r.idLB] = lb
		} else if lb.row.leika != r.leika || lb.row.name != r.name || lb.row.name2 != r.name2 {
			return nil, nil, fmt.Errorf("%s: %s has different key or names on different rows", srcPVOG.File, r.idLB)
		}
		if r.idOD == "" {
			continue
		}
		od, ok := ods[r.idOD]
		if !ok {
			od = &odAcc{id: r.idOD, title: r.titleOD}
			ods[r.idOD] = od
		} else if od.title != r.titleOD {
			return nil, nil, fmt.Errorf("%s: %s has different titles", srcPVOG.File, r.idOD)
		}
		for _, l := range strings.Fields(r.links) {
			g.stats.links++
			if !validURL(l) {
				g.stats.invalidLinks++
				g.log.Warn("invalid link left out", "onlineService", r.idOD, "link", l)
				continue
			}
			if !contains(od.links, l) {
				od.links = append(od.links, l)
			}
		}
		if !contains(lb.ods, r.idOD) {
			lb.ods = append(lb.ods, r.idOD)
		}
	}

	odList := make([]*odAcc, 0, len(ods))
	for _, od := range ods {
		if len(od.links) == 0 {
			g.log.Warn("online service without a valid link left out", "id", od.id)
			continue
		}
		odList = append(odList, od)
	}
	sort.Slice(odList, func(i, j int) bool { return lessExternalID(odList[i].id, odList[j].id) })
	odID := map[string]string{}
	online := make([]onlineServiceRec, len(odList))
	for i, od := range odList {
		odID[od.id] = onlineID(firstFederalOnline + i)
		online[i] = onlineServiceRec{ID: odID[od.id], Title: od.title, Links: od.links, RegionKey: catalog.Bund, ExternalIDs: []string{od.id}}
	}

	lbList := make([]*lbAcc, 0, len(lbs))
	seenKey := map[string]string{}
	for _, lb := range lbs {
		if !catalog.ValidLeika(lb.row.leika) {
			return nil, nil, fmt.Errorf("%s: %s has LeiKa key %q", srcPVOG.File, lb.row.idLB, lb.row.leika)
		}
		if prev, dup := seenKey[lb.row.leika]; dup {
			return nil, nil, fmt.Errorf("%s: LeiKa key %s on %s and %s", srcPVOG.File, lb.row.leika, prev, lb.row.idLB)
		}
		seenKey[lb.row.leika] = lb.row.idLB
		lbList = append(lbList, lb)
	}
	sort.Slice(lbList, func(i, j int) bool { return lbList[i].row.leika < lbList[j].row.leika })
	services := make([]federalServiceRec, len(lbList))
	for i, lb := range lbList {
		s := federalServiceRec{ID: serviceID(firstFederalService + i), LeikaKeys: []string{lb.row.leika},
			Name: lb.row.name, CitizenName: lb.row.name2, ExternalIDs: []string{lb.row.idLB}}
		if _, ok := g.coreKeys[lb.row.leika]; ok {
			s.Core = true
			g.stats.coreOverlaps++
		}
		for _, od := range lb.ods {
			if id, ok := odID[od]; ok {
				s.Online = append(s.Online, id)
			}
		}
		sort.Strings(s.Online)
		services[i] = s
	}
	g.log.Info("federal services", "services", len(services), "coreOverlaps", g.stats.coreOverlaps,
		"onlineServices", len(online), "links", g.stats.links, "invalidLinks", g.stats.invalidLinks, "quotesUnescaped", g.stats.quoteFixes)
	return services, online, nil
}

// lessExternalID orders portal-network IDs (B100019.OD.103739565) by their
// prefix and then numerically by their last part.
func lessExternalID(a, b string) bool {
	ia, ib := strings.LastIndexByte(a, '.'), strings.LastIndexByte(b, '.')
	if a[:ia+1] != b[:ib+1] {
		return a < b
	}
	na, ea := strconv.ParseUint(a[ia+1:], 10, 64)
	nb, eb := strconv.ParseUint(b[ib+1:], 10, 64)
	if ea != nil || eb != nil || na == nb {
		return a < b
	}
	return na < nb
}

// validURL applies the catalogue's rule for links (catalog/validate.go), so
// that the loader never meets a link the store refuses.
func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(s) <= 2000 &&
		!strings.ContainsAny(s, " \t\n<>\"")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func pad(prefix string) string { return prefix + strings.Repeat("0", 12-len(prefix)) }

func officeID(n int) string  { return fmt.Sprintf("HE.OE.%010d", n) }
func serviceID(n int) string { return fmt.Sprintf("HE.LB.%010d", n) }
func onlineID(n int) string  { return fmt.Sprintf("HE.OD.%010d", n) }

// fold lowers a name, folds umlauts and ß and turns punctuation into
// spaces, for matching town names.
func fold(s string) string {
	r := strings.NewReplacer("ä", "a", "ö", "o", "ü", "u", "ß", "ss", ".", " ", ",", " ", "(", " ", ")", " ", "-", " ", "/", " ")
	return strings.Join(strings.Fields(r.Replace(strings.ToLower(s))), " ")
}

// writeAtomic writes a file through a temporary file and a rename.
func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Readers of the sources.

func readARS(path string) (map[string]string, error) {
	rows, err := readCSV(path, ',', []string{"ARS", "Municipality"})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rows))
	for i, r := range rows {
		key, name := r[0], strings.TrimSpace(r[1])
		if !catalog.ValidARS(key) || name == "" {
			return nil, fmt.Errorf("%s: row %d: bad key %q or empty name", path, i+2, key)
		}
		if _, dup := out[key]; dup {
			return nil, fmt.Errorf("%s: key %s twice", path, key)
		}
		out[key] = name
	}
	return out, nil
}

// gv100Rec is one line of the GV100 NDJSON files.
type gv100Rec struct {
	Level struct {
		Name string `json:"name"`
	} `json:"ebene"`
	Name string `json:"name"`
	Key  struct {
		Number string `json:"nummer"`
	} `json:"schlüssel"`
	Seat string `json:"sitz"`
	Type struct {
		Name string `json:"name"`
	} `json:"typ"`

	key string
}

var digitsRE = regexp.MustCompile(`^[0-9]+$`)

func readGV100(path, level string, keyLen int) ([]gv100Rec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []gv100Rec
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var r gv100Rec
		if err := json.Unmarshal(line, &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		r.key = r.Key.Number
		if r.Level.Name != level || len(r.key) != keyLen || !digitsRE.MatchString(r.key) || r.Name == "" {
			return nil, fmt.Errorf("%s:%d: not a %s with a %d-digit key", path, n, level, keyLen)
		}
		r.Name, r.Seat = strings.TrimSpace(r.Name), strings.TrimSpace(r.Seat)
		out = append(out, r)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, nil
}

// adminRow is one municipal administration of the 2011 list.
type adminRow struct {
	ags, typ, administration, street, postcode, city string
	population                                       int
}

var postcodeCityRE = regexp.MustCompile(`^([0-9]{5}) (.+)$`)

func readAdmins(path string) ([]adminRow, error) {
	rows, err := readCSV(path, ',', []string{"ags", "municipality", "type", "district", "admin_region", "administration", "street", "postcode_city", "population", "area_km2"})
	if err != nil {
		return nil, err
	}
	out := make([]adminRow, 0, len(rows))
	for i, r := range rows {
		m := postcodeCityRE.FindStringSubmatch(strings.TrimSpace(r[7]))
		pop, perr := strconv.Atoi(r[8])
		if len(r[0]) != 8 || !digitsRE.MatchString(r[0]) || m == nil || perr != nil ||
			strings.TrimSpace(r[5]) == "" || strings.TrimSpace(r[6]) == "" {
			return nil, fmt.Errorf("%s: row %d is incomplete: %q", path, i+2, r)
		}
		out = append(out, adminRow{ags: r[0], typ: strings.TrimSpace(r[2]), administration: strings.TrimSpace(r[5]),
			street: strings.TrimSpace(r[6]), postcode: m[1], city: strings.TrimSpace(m[2]), population: pop})
	}
	return out, nil
}

func readCoreKeys(path string) (map[string]string, error) {
	rows, err := readCSV(path, ',', []string{"leika_key", "name", "citizen_name", "category", "level_in_hessen_demo"})
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for i, r := range rows {
		switch {
		case !catalog.ValidLeika(r[0]):
			return nil, fmt.Errorf("%s: row %d: bad LeiKa key %q", path, i+2, r[0])
		case r[4] != "municipality" && r[4] != "district" && r[4] != "state" && r[4] != "federal":
			return nil, fmt.Errorf("%s: row %d: unknown level %q", path, i+2, r[4])
		}
		out[r[0]] = r[4]
	}
	return out, nil
}

func readCSV(path string, comma rune, header []string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comma = comma
	cr.FieldsPerRecord = len(header)
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != strings.Join(header, ",") {
		return nil, fmt.Errorf("%s: header is not %v", path, header)
	}
	return rows[1:], nil
}

// pvogRow is one row of the PVOG export.
type pvogRow struct {
	idLB, leika, name, name2, updated, idOD, titleOD, links string
}

var pvogHeader = "ID-LB|Leikaschlüssel|Name|Name2|Updatedatum|ID-OD|Bezeichnung OD|Links"

// readPVOG reads the PVOG export. It is pipe-separated without quoting:
// no field holds a pipe, and a quotation mark inside a field is written
// doubled (""Riester""), as CSV would inside a quoted field. readPVOG splits
// on pipes and undoubles the marks; it returns how many fields it fixed.
func readPVOG(path string) ([]pvogRow, int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, 0, err
	}
	lines := strings.Split(strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n"), "\n")
	if len(lines) == 0 || lines[0] != pvogHeader {
		return nil, 0, fmt.Errorf("%s: header is not %q", path, pvogHeader)
	}
	var out []pvogRow
	fixes := 0
	for n, line := range lines[1:] {
		f := strings.Split(line, "|")
		if len(f) != 8 {
			return nil, 0, fmt.Errorf("%s:%d: %d fields, want 8", path, n+2, len(f))
		}
		for i := range f {
			f[i] = strings.TrimSpace(f[i])
			if strings.Contains(f[i], `""`) {
				f[i] = strings.ReplaceAll(f[i], `""`, `"`)
				fixes++
			}
		}
		if f[0] == "" || f[2] == "" || (f[5] == "") != (f[7] == "") {
			return nil, 0, fmt.Errorf("%s:%d: incomplete row", path, n+2)
		}
		out = append(out, pvogRow{f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]})
	}
	return out, fixes, nil
}
