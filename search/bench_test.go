package search

import (
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/catalog/demo"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// Benchmarks (not part of the default test run):
//
//	go test ./search/ -run '^$' -bench . -benchtime 1x -timeout 30m
//
// BenchmarkIndex* rebuild the index from the store and report documents per
// second and the size of the index on disk; BenchmarkQuery* report p50 and
// p99 latency of typical queries, with and without a region filter, over
// the demo catalogue plus 50,000 generated services.

const generatedServices = 50000

// The demo plus the generated catalogue is written once per benchmark run.
var bigOnce struct {
	sync.Once
	shared *catalogtest.Shared
	st     *catalog.Store
	err    error
}

func bigStore(b *testing.B) *catalog.Store {
	b.Helper()
	bigOnce.Do(func() {
		o := &bigOnce
		if o.shared, o.err = catalogtest.OpenShared("search-bench-", catalog.Options{Portal: "HE"}); o.err != nil {
			return
		}
		o.st = o.shared.St
		if _, o.err = demo.Load(ctx, o.st, nil); o.err != nil {
			return
		}
		start := time.Now()
		o.err = generate(o.st, generatedServices, 1)
		fmt.Fprintf(os.Stderr, "generated %d services in %v\n", generatedServices, time.Since(start).Round(time.Millisecond))
	})
	require.NoError(b, bigOnce.err)
	return bigOnce.st
}

// Vocabulary of the generated catalogue: the words of administrative
// service names, combined into compounds and sentences the way the real
// catalogue does ("Hundehaltung Anmeldung", "Zuschuss für Baumpflege").
var (
	genSubjects = []string{"Hund", "Fahrzeug", "Gewerbe", "Wohnung", "Baum", "Grundstück", "Gaststätte", "Veranstaltung",
		"Kind", "Schule", "Ausbildung", "Studium", "Rente", "Pflege", "Wasser", "Abwasser", "Abfall", "Energie", "Solar",
		"Heizung", "Denkmal", "Boot", "Schiff", "Fischerei", "Jagd", "Waffen", "Markt", "Handel", "Lebensmittel", "Tier",
		"Pferd", "Wald", "Garten", "Straße", "Parkplatz", "Fahrrad", "Bus", "Taxi", "Spielhalle", "Lotterie", "Sport",
		"Verein", "Stiftung", "Kirche", "Friedhof", "Grab", "Arzt", "Apotheke", "Krankenhaus", "Heim", "Kita", "Hort",
		"Musik", "Kunst", "Film", "Presse", "Rundfunk", "Zoll", "Steuer", "Lohn", "Miete", "Bau", "Brand", "Lärm",
		"Feuerwerk", "Drohne", "Luftfahrt", "Bahn", "Hafen", "Brücke", "Kanal", "Deich", "Hochwasser", "Wetter", "Klima"}
	genObjects = []string{"anmeldung", "abmeldung", "genehmigung", "erlaubnis", "bescheinigung", "zuschuss", "förderung",
		"auskunft", "eintragung", "befreiung", "ermäßigung", "erstattung", "prüfung", "zulassung", "beratung", "anzeige",
		"registrierung", "ausweis", "karte", "schein", "nachweis", "bescheid", "gebühr", "abgabe", "steuer", "versicherung"}
	genActions  = []string{"beantragen", "anzeigen", "melden", "verlängern", "ändern", "abmelden", "einreichen", "erhalten", "bezahlen", "widerrufen"}
	genQualifer = []string{"für Unternehmen", "für Privatpersonen", "im Ausland", "bei Umzug", "für Vereine", "auf Zeit",
		"für Menschen mit Behinderung", "für Landwirte", "im vereinfachten Verfahren", "nach Landesrecht", "für Studierende", "in Sonderfällen"}
	genSentences = []string{
		"Sie können den Antrag online oder persönlich bei der zuständigen Stelle stellen.",
		"Die Bearbeitung dauert in der Regel zwei bis vier Wochen.",
		"Bringen Sie einen gültigen Personalausweis oder Reisepass mit.",
		"Für die Entscheidung wird eine Gebühr nach der Verwaltungskostenordnung erhoben.",
		"Gegen den Bescheid können Sie innerhalb eines Monats Widerspruch einlegen.",
		"Die Frist beginnt mit dem Tag der Zustellung.",
		"Unvollständige Unterlagen verzögern die Bearbeitung.",
		"Die Behörde prüft, ob die Voraussetzungen erfüllt sind.",
		"Änderungen müssen Sie unverzüglich mitteilen.",
		"Eine Beratung ist vorab möglich und kostenfrei.",
	}
)

// generate writes n services with responsibilities into st,
// deterministically for a seed.
func generate(st *catalog.Store, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 2*seed+1))
	var districts, offices []string
	err := st.View(ctx, func(tx *catalog.Tx) error {
		return tx.Each(catalog.KindOffice, func(rec catalog.Record) (bool, error) {
			o := rec.(*catalog.Office)
			if strings.HasPrefix(o.RegionKey, "06") && catalog.LevelOf(o.RegionKey) == catalog.LevelKreis {
				districts = append(districts, o.RegionKey)
				offices = append(offices, o.ID)
			}
			return true, nil
		})
	})
	if err != nil {
		return err
	}
	if len(offices) == 0 {
		return fmt.Errorf("no district offices in the store")
	}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	// Explicit IDs: the demo writes its records with explicit IDs and does
	// not advance the bucket sequences, so IDs drawn from them would
	// collide (see the report on catalog.Tx.Put).
	const online = "HE.OD.8000000001"
	err = st.Update(ctx, func(tx *catalog.Tx) error {
		return tx.Put(&catalog.OnlineService{Meta: catalog.Meta{ID: online}, Title: i18n.German("Generierter Onlinedienst"),
			RegionKey: catalog.Bund, Links: []catalog.Link{{URL: "https://example.org/generated"}}}, catalog.Write{Actor: "bench"})
	})
	if err != nil {
		return err
	}
	const perTx = 2000
	for start := 0; start < n; start += perTx {
		err := st.Update(ctx, func(tx *catalog.Tx) error {
			for i := start; i < min(start+perTx, n); i++ {
				subj, obj := pick(genSubjects), pick(genObjects)
				compound := subj + obj
				if r.IntN(3) == 0 {
					compound = subj + " " + strings.ToUpper(obj[:1]) + obj[1:]
				}
				name := compound
				if r.IntN(2) == 0 {
					name += " " + pick(genQualifer)
				}
				citizen := strings.ToUpper(obj[:1]) + obj[1:] + " für " + subj + " " + pick(genActions)
				var short, full strings.Builder
				fmt.Fprintf(&short, "Hier erfahren Sie, wie Sie %s %s. Zuständig ist die Behörde für %s.", compound, pick(genActions), subj)
				full.WriteString("<p>")
				for range 3 + r.IntN(5) {
					full.WriteString(pick(genSentences) + " ")
				}
				fmt.Fprintf(&full, "Zuständig ist die Behörde für %s.</p>", subj)
				key := fmt.Sprintf("98%012d", i)
				texts := map[catalog.Module]i18n.Text{
					catalog.ModuleName:        i18n.German(name),
					catalog.ModuleCitizenName: i18n.German(citizen),
					catalog.ModuleShortText:   i18n.German(short.String()),
					catalog.ModuleFullText:    i18n.German(full.String()),
				}
				if r.IntN(5) == 0 {
					texts[catalog.ModuleName] = i18n.Bilingual(name, "Application for "+strings.ToLower(subj)+" "+obj)
				}
				s := &catalog.Service{Meta: catalog.Meta{ID: fmt.Sprintf("HE.LB.%010d", 8000000000+i)},
					Status: catalog.StatusPublished, LeikaKeys: []string{key}, Texts: texts,
					Categories: []string{subj}, Addressees: []catalog.Addressee{catalog.AddresseeCitizen}}
				if err := tx.Put(s, catalog.Write{Actor: "bench"}); err != nil {
					return err
				}
				resp := &catalog.Responsibility{Meta: catalog.Meta{ID: fmt.Sprintf("HE.ZS.%010d", 8000000000+i)},
					LeikaKey: key, Role: catalog.RoleResponsible}
				switch r.IntN(3) {
				case 0:
					resp.RegionKey, resp.OnlineServiceID = catalog.Bund, online
				case 1:
					j := r.IntN(len(offices))
					resp.RegionKey, resp.OfficeID = districts[j], offices[j]
				default:
					resp.RegionKey, resp.OfficeID = "060000000000", offices[r.IntN(len(offices))]
				}
				if err := tx.Put(resp, catalog.Write{Actor: "bench"}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// benchRebuild rebuilds an index on disk from st and reports documents per
// second and the index size.
func benchRebuild(b *testing.B, st *catalog.Store) {
	path := filepath.Join(b.TempDir(), "search")
	ix, err := Open(path, st, nil)
	require.NoError(b, err)
	defer ix.Close()
	docs, err := ix.DocCount()
	require.NoError(b, err)
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		require.NoError(b, ix.Rebuild(ctx, nil))
	}
	elapsed := time.Since(start)
	b.ReportMetric(float64(docs)*float64(b.N)/elapsed.Seconds(), "docs/s")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/rebuild")
	b.ReportMetric(float64(dirSize(path))/(1<<20), "index-MB")
	b.ReportMetric(float64(docs), "docs")
}

func BenchmarkIndexDemo(b *testing.B) {
	st, _ := demoIndex(b)
	benchRebuild(b, st)
}

func BenchmarkIndex50k(b *testing.B) {
	benchRebuild(b, bigStore(b))
}

// typicalQueries are what the portal gets most: names, colloquial words,
// two-word phrases, an English one, a typo.
var typicalQueries = []string{"perso", "personalausweis beantragen", "ummelden", "hundesteuer", "kfz zulassung",
	"führerschein umtauschen", "bauantrag", "wohngeld", "kindergeld", "gewerbe anmelden", "reisepass", "sperrmüll",
	"kita", "heiraten", "geburtsurkunde", "bürgergeld", "register address", "hartz 4", "persnalausweis", "baum fällen",
	"genehmigung für veranstaltung", "abwasser gebühr", "zuschuss solar", "fischereischein", "steuer"}

var regionsForBench = []string{"066360003003", "066110000000", "064120000000", "065340014014", "066310009009"}

// benchQueries runs the typical queries (with a region filter when
// withRegion) and reports the latency percentiles.
func benchQueries(b *testing.B, ix *Index, withRegion bool) {
	// Warm up for a few seconds: caches, and the merges scorch runs in
	// the background after a build, which would otherwise compete for the
	// CPU with the first measurements.
	for warm := time.Now(); time.Since(warm) < 3*time.Second; {
		for _, q := range typicalQueries {
			_, err := ix.Search(ctx, Request{Query: q})
			require.NoError(b, err)
		}
	}
	runtime.GC()
	var lat []time.Duration
	i := 0
	b.ResetTimer()
	for b.Loop() {
		req := Request{Query: typicalQueries[i%len(typicalQueries)]}
		if withRegion {
			req.ARS = regionsForBench[i%len(regionsForBench)]
		}
		i++
		start := time.Now()
		_, err := ix.Search(ctx, req)
		lat = append(lat, time.Since(start))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

var bigIndexOnce struct {
	sync.Once
	ix  *Index
	err error
}

func bigIndex(b *testing.B) *Index {
	st := bigStore(b)
	bigIndexOnce.Do(func() {
		bigIndexOnce.ix, bigIndexOnce.err = Open(filepath.Join(bigOnce.shared.Dir(), "search"), st, nil)
	})
	require.NoError(b, bigIndexOnce.err)
	return bigIndexOnce.ix
}

func BenchmarkQuery(b *testing.B) {
	// The server runs with a garbage collector target of 400 (serve's
	// -gc-percent); measure query latency under the same setting unless
	// GOGC says otherwise.
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	b.Run("Demo", func(b *testing.B) {
		_, ix := demoIndex(b)
		b.Run("NoRegion", func(b *testing.B) { benchQueries(b, ix, false) })
		b.Run("Region", func(b *testing.B) { benchQueries(b, ix, true) })
	})
	b.Run("Demo+50k", func(b *testing.B) {
		ix := bigIndex(b)
		b.Run("NoRegion", func(b *testing.B) { benchQueries(b, ix, false) })
		b.Run("Region", func(b *testing.B) { benchQueries(b, ix, true) })
	})
}

func BenchmarkSuggest(b *testing.B) {
	ix := bigIndex(b)
	prefixes := []string{"hu", "hundest", "perso", "führ", "kfz z", "bauan", "wohn", "ki"}
	i := 0
	for b.Loop() {
		if _, err := ix.Suggest(ctx, prefixes[i%len(prefixes)], "", "", 8); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// citizenQueries reads the 30 queries of the search benchmark.
func citizenQueries(tb testing.TB) []string {
	b, err := os.ReadFile("../testdata/search/citizen-queries.txt")
	require.NoError(tb, err)
	var qs []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			qs = append(qs, l)
		}
	}
	return qs
}

// BenchmarkCitizenQueries runs the citizen set over the demo catalogue one
// query at a time: ns/op is the CPU a query costs. "Page" asks what a
// result page shows (highlights and facets), "Hits" only the hits.
func BenchmarkCitizenQueries(b *testing.B) {
	if _, set := os.LookupEnv("GOGC"); !set {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	_, ix := demoIndex(b)
	qs := citizenQueries(b)
	for _, c := range []struct {
		name string
		skip bool
	}{{"Page", false}, {"Hits", true}} {
		b.Run(c.name, func(b *testing.B) {
			i := 0
			b.ReportAllocs()
			cpu0 := catalogtest.CPUTime()
			for b.Loop() {
				req := Request{Query: qs[i%len(qs)], First: 20, SkipHighlights: c.skip, SkipFacets: c.skip, SkipStoredFields: c.skip}
				i++
				if _, err := ix.Search(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
			// CPU time rather than wall time: on a shared machine the
			// wall time per query says more about the neighbours.
			b.ReportMetric(float64((catalogtest.CPUTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}
