package pvog

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// CSVHeader is the first line of the search service's CSV export.
const CSVHeader = "ID-LB|Leikaschlüssel|Name|Name2|Updatedatum|ID-OD|Bezeichnung OD|Links"

// MaxCSVLine is the longest line ReadCSV takes.
const MaxCSVLine = 1 << 20

// ReadCSV reads the PVOG search service's CSV export: pipe-separated, no
// quoting (a quotation mark inside a field is doubled, as CSV would write
// it in a quoted field), one row per link of an online service, rows of
// one service together. It returns the items to import:
//
//   - per ID-LB a service of the Bund with the LeiKa key, the formal name
//     (Name, module 02) and the citizen wording (Name2, module 03), matched
//     by the PVOG ID among the services' external IDs. A matched service of
//     the Bund gets the names and key; a matched service that a state
//     maintains (the demo's hand-written ones carry the federal ID too)
//     keeps its own texts and only gains the ID.
//   - per ID-OD an online service with its title and links, matched by
//     the PVOG ID;
//   - per service and online service a responsibility of the online
//     service for the key at the Bund, matched by key, region and online
//     service.
//
// A header other than CSVHeader fails the whole file; a row with another
// number of fields, an invalid key or a name missing is rejected with its
// line, the rest goes on.
func ReadCSV(r io.Reader, name string) ([]*federation.ImportItem, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxCSVLine)
	line := 0
	type od struct {
		item  *federation.ImportItem
		links []string
	}
	var services, rejected []*federation.ImportItem
	byLB := map[string]*federation.ImportItem{}
	ods := map[string]*od{}
	var odOrder []string
	type pair struct{ leika, lb, od string }
	var pairs []pair
	seenPair := map[pair]bool{}
	for sc.Scan() {
		line++
		text := strings.TrimSuffix(sc.Text(), "\r")
		if line == 1 {
			text = strings.TrimPrefix(text, "\ufeff")
			if text != CSVHeader {
				return nil, fmt.Errorf("%s:1: header is %q, not the PVOG CSV header %q", name, text, CSVHeader)
			}
			continue
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, line)
		f := strings.Split(text, "|")
		if len(f) != 8 {
			rejected = append(rejected, &federation.ImportItem{Kind: catalog.KindService, Where: where,
				Err: fmt.Errorf("%d fields, the PVOG CSV has 8 (%s)", len(f), CSVHeader)})
			continue
		}
		for i := range f {
			f[i] = strings.TrimSpace(strings.ReplaceAll(f[i], `""`, `"`))
		}
		idLB, leika, formal, citizen, idOD, title, links := f[0], f[1], f[2], f[3], f[5], f[6], f[7]
		switch {
		case idLB == "":
			rejected = append(rejected, &federation.ImportItem{Kind: catalog.KindService, Where: where, Err: fmt.Errorf("ID-LB is empty")})
			continue
		case !catalog.ValidLeika(leika):
			rejected = append(rejected, &federation.ImportItem{Kind: catalog.KindService, ID: idLB, Where: where, Err: fmt.Errorf("Leikaschlüssel %q is not 14 digits", leika)})
			continue
		case formal == "":
			rejected = append(rejected, &federation.ImportItem{Kind: catalog.KindService, ID: idLB, Where: where, Err: fmt.Errorf("Name is empty")})
			continue
		}
		if prev, ok := byLB[idLB]; ok {
			s := prev.Record.(*catalog.Service)
			if s.LeikaKeys[0] != leika || s.Texts[catalog.ModuleName][i18n.DE].Value != formal {
				rejected = append(rejected, &federation.ImportItem{Kind: catalog.KindService, ID: idLB, Where: where,
					Err: fmt.Errorf("%s has another key or name than on %s", idLB, prev.Where)})
				continue
			}
		} else {
			it := &federation.ImportItem{Kind: catalog.KindService, ID: idLB, Where: where, MatchExternal: idLB,
				Record: federalService(idLB, leika, formal, citizen)}
			it.Patch = patchNames(it.Record.(*catalog.Service))
			byLB[idLB] = it
			services = append(services, it)
		}
		if idOD == "" {
			continue
		}
		o, ok := ods[idOD]
		if !ok {
			o = &od{item: &federation.ImportItem{Kind: catalog.KindOnlineService, ID: idOD, Where: where, MatchExternal: idOD,
				Record: &catalog.OnlineService{Title: i18n.German(title), RegionKey: catalog.Bund, ExternalIDs: []string{idOD}}}}
			ods[idOD] = o
			odOrder = append(odOrder, idOD)
		} else if o.item.Record.(*catalog.OnlineService).Title[i18n.DE].Value != title {
			rejected = append(rejected, &federation.ImportItem{Kind: catalog.KindOnlineService, ID: idOD, Where: where,
				Err: fmt.Errorf("%s has another title than on %s", idOD, o.item.Where)})
			continue
		}
		for _, l := range strings.Fields(links) {
			if !slices.Contains(o.links, l) {
				o.links = append(o.links, l)
			}
		}
		p := pair{leika, idLB, idOD}
		if !seenPair[p] {
			seenPair[p] = true
			pairs = append(pairs, p)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %w", name, line+1, err)
	}
	if line == 0 {
		return nil, fmt.Errorf("%s: empty file, not a PVOG CSV", name)
	}
	out := append(services, rejected...)
	for _, id := range odOrder {
		o := ods[id]
		rec := o.item.Record.(*catalog.OnlineService)
		for _, l := range o.links {
			rec.Links = append(rec.Links, catalog.Link{URL: l})
		}
		out = append(out, o.item)
	}
	for _, p := range pairs {
		out = append(out, &federation.ImportItem{Kind: catalog.KindResponsibility, Where: byLB[p.lb].Where, HolderExternal: p.od,
			Record: &catalog.Responsibility{LeikaKey: p.leika, RegionKey: catalog.Bund, Role: catalog.RoleResponsible}})
	}
	return out, nil
}

func federalService(idLB, leika, formal, citizen string) *catalog.Service {
	texts := map[catalog.Module]i18n.Text{catalog.ModuleName: i18n.German(formal)}
	if citizen != "" {
		texts[catalog.ModuleCitizenName] = i18n.German(citizen)
	}
	return &catalog.Service{Status: catalog.StatusPublished, RegionKey: catalog.Bund, LeikaKeys: []string{leika},
		Texts: texts, ExternalIDs: []string{idLB}}
}

// patchNames returns the patch of a matched service by a CSV row: a
// service of the Bund gets the key and the German names, a state's own
// service only the federal ID.
func patchNames(in *catalog.Service) func(catalog.Record) catalog.Record {
	return func(cur catalog.Record) catalog.Record {
		s := cur.(*catalog.Service)
		if !addExternal(s, in) {
			return s
		}
		if !slices.Contains(s.LeikaKeys, in.LeikaKeys[0]) {
			s.LeikaKeys = append(s.LeikaKeys, in.LeikaKeys[0])
		}
		if s.Texts == nil {
			s.Texts = map[catalog.Module]i18n.Text{}
		}
		for _, m := range []catalog.Module{catalog.ModuleName, catalog.ModuleCitizenName} {
			t, ok := in.Texts[m]
			if !ok {
				continue
			}
			cur := s.Texts[m]
			if cur == nil {
				cur = i18n.Text{}
			}
			if cur[i18n.DE].Value != t[i18n.DE].Value {
				cur[i18n.DE] = i18n.Version{Value: t[i18n.DE].Value}
			}
			s.Texts[m] = cur
		}
		return s
	}
}

// addExternal gives a matched service the input's external IDs and
// reports whether the input may change the rest: only a service of the
// Bund takes the federal catalogue's content; a state's own keeps its.
func addExternal(s, in *catalog.Service) bool {
	for _, e := range in.ExternalIDs {
		if !slices.Contains(s.ExternalIDs, e) {
			s.ExternalIDs = append(s.ExternalIDs, e)
		}
	}
	return s.RegionKey == catalog.Bund
}
