package pvog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/federation"
)

var ctx = context.Background()

func apply(t *testing.T, st *catalog.Store, items []*federation.ImportItem) federation.ImportSummary {
	t.Helper()
	sum, err := federation.Import(ctx, st, federation.Items(items), federation.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

// TestCSVRealExport imports the portal network's federal catalogue
// (../shared/data/catalog/pvog-bund-2025-01-20.csv) into a store with the
// region list, then again: the second run changes nothing.
func TestCSVRealExport(t *testing.T) {
	path := filepath.Join(catalogtest.SharedData(t), "catalog", "pvog-bund-2025-01-20.csv")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	items, err := ReadCSV(f, "pvog-bund-2025-01-20.csv")
	if err != nil {
		t.Fatal(err)
	}
	st := catalogtest.Open(t, catalog.Options{Portal: "HE"})
	catalogtest.PutRegions(t, st)
	sum := apply(t, st, items)
	var services int
	st.View(ctx, func(tx *catalog.Tx) error { services = tx.Count(catalog.KindService); return nil })
	if services != 911 {
		t.Errorf("%d services after the import, the export has 911; %s", services, sum)
	}
	for _, r := range sum.Rejections {
		if r.Kind == catalog.KindService {
			t.Errorf("service rejected: %s", r)
		}
		if !strings.Contains(r.String(), "pvog-bund-2025-01-20.csv:") {
			t.Errorf("rejection without its line: %s", r)
		}
	}
	st.View(ctx, func(tx *catalog.Tx) error {
		ss, err := tx.ServicesByLeika("99038003017001")
		if err != nil || len(ss) != 1 {
			t.Fatalf("Saison-Kurzarbeitergeld: %v %v", ss, err)
		}
		s := ss[0]
		if s.Texts[catalog.ModuleCitizenName].String() != "Saison-Kurzarbeitergeld beantragen" || s.ExternalIDs[0] != "B100019.LB.100372563" || s.RegionKey != catalog.Bund {
			t.Errorf("Saison-Kurzarbeitergeld = %+v", s)
		}
		ls, err := tx.LocalService("99038003017001", "066360003003", st.Now())
		if err != nil || len(ls.OnlineServices) != 2 {
			t.Errorf("online services for Eschwege: %v, %v; want the two of the export", ls, err)
		}
		return nil
	})
	rev := st.Revision()
	again := apply(t, st, items)
	if again.Created+again.Updated != 0 || st.Revision() != rev {
		t.Errorf("second import: %s; want nothing created or updated", again)
	}
}

// TestJSONRealDetail imports the detail of Ausbildungsgeld
// (../shared/data/catalog/pvog-detail-B100019.LB.574711.json).
func TestJSONRealDetail(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(catalogtest.SharedData(t), "catalog", "pvog-detail-B100019.LB.574711.json"))
	if err != nil {
		t.Fatal(err)
	}
	items, err := ReadJSON(b, "detail.json")
	if err != nil {
		t.Fatal(err)
	}
	st := catalogtest.Open(t, catalog.Options{Portal: "HE"})
	catalogtest.PutRegions(t, st)
	sum := apply(t, st, items)
	if sum.Created != 3 || sum.Rejected != 0 {
		t.Fatalf("import: %s %v; want the service, its online service and the responsibility", sum, sum.Rejections)
	}
	st.View(ctx, func(tx *catalog.Tx) error {
		ss, _ := tx.ServicesByLeika("99007002017000")
		s := ss[0]
		for m, want := range map[catalog.Module]string{"02": "Ausbildungsgeld Bewilligung", "03": "Ausbildungsgeld beantragen",
			"24": "Als Mensch mit Behinderungen", "06": "Wenn Sie eine Behinderung haben", "09": "Rehabilitationsträger",
			"07": `<a href="https://www.gesetze-im-internet.de/sgb_3/index.html">§§ 122 bis 126`, "10": "<p>Keine</p>",
			"13": "bevor die Ausbildung", "25": "Widerspruch bei der Agentur"} {
			if got := s.Texts[m].String(); !strings.Contains(got, want) {
				t.Errorf("module %s = %q, want it to contain %q", m, got, want)
			}
		}
		if _, ok := s.Texts["18"]; ok {
			t.Errorf("the placeholder author (nicht angegeben) was taken")
		}
		if s.Processing == nil || s.Processing.Duration == nil || *s.Processing.Duration != (catalog.Duration{Value: 1, Unit: catalog.UnitMonth}) {
			t.Errorf("processing = %+v, want 1 month", s.Processing)
		}
		if len(s.Deadlines) != 1 || s.Deadlines[0].Kind != catalog.DeadlineRedress || s.Deadlines[0].Duration.Value != 1 {
			t.Errorf("deadlines = %+v, want the redress deadline of 1 month", s.Deadlines)
		}
		if len(s.Typisation) != 1 || s.Typisation[0] != "1" || len(s.Addressees) != 1 || s.Addressees[0] != catalog.AddresseeCitizen {
			t.Errorf("typisation %v addressees %v", s.Typisation, s.Addressees)
		}
		if len(s.Keywords["de"]) != 10 || s.Validity.From != nil || s.Validity.To != nil {
			t.Errorf("keywords %v validity %+v", s.Keywords, s.Validity)
		}
		return nil
	})
	if again := apply(t, st, items); again.Unchanged != 3 {
		t.Errorf("second import: %s; want all unchanged", again)
	}
}

// TestBadInput: each shape error names the file and the position.
func TestBadInput(t *testing.T) {
	csvCases := []struct{ name, in, want string }{
		{"WrongHeader", "ID|Leika|Name\n", "x.csv:1: header is"},
		{"Empty", "", "empty file"},
	}
	for _, tc := range csvCases {
		t.Run("CSV"+tc.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(tc.in), "x.csv")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("CSVRowWrongColumns", func(t *testing.T) {
		in := CSVHeader + "\nB1.LB.1|99000000000001|A|B|x|||\nB1.LB.2|99000000000002|A|B|x||\n"
		items, err := ReadCSV(strings.NewReader(in), "x.csv")
		if err != nil {
			t.Fatal(err)
		}
		var rejected []string
		for _, it := range items {
			if it.Err != nil {
				rejected = append(rejected, it.Where+": "+it.Err.Error())
			}
		}
		if len(rejected) != 1 || !strings.HasPrefix(rejected[0], "x.csv:3: 7 fields") {
			t.Errorf("rejected %v; want line 3 with 7 fields", rejected)
		}
	})
	jsonCases := []struct{ name, in, want string }{
		{"Array", `[1, 2]`, "x.json:1:2: the document is a JSON array, the detail JSON has an object there"},
		{"WrongType", "{\n  \"id\": 5}", "x.json:2:10: id is a JSON number"},
		{"Truncated", `{"id": "B.LB.1", "leikakeys": ["9900`, "x.json:1:37: the document ends early"},
		{"NotDetail", `{"foo": 1}`, `no "id"`},
	}
	for _, tc := range jsonCases {
		t.Run("JSON"+tc.name, func(t *testing.T) {
			_, err := ReadJSON([]byte(tc.in), "x.json")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("JSONBadValues", func(t *testing.T) {
		items, err := ReadJSON([]byte(`{"id":"B.LB.1","leikakeys":["123"],"details":[{"code":"77","xZufiCategory":"TEXT_MODUL","text":"x"}]}`), "x.json")
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Err == nil || !strings.Contains(items[0].Err.Error(), "not 14 digits") || !strings.Contains(items[0].Err.Error(), `"77"`) {
			t.Errorf("items = %+v; want the service rejected for its key and its module", items)
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte(CSVHeader + "\nB100019.LB.1|99038003017001|Name|Name 2|20.01.2025 00:48|B100019.OD.1|Dienst|https://example.org https://x\n"))
	f.Add([]byte(CSVHeader + "\n|||\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := ReadCSV(bytes.NewReader(b), "fuzz.csv")
		if err != nil {
			return
		}
		for _, it := range items {
			if it.Err == nil && it.Record == nil {
				t.Fatalf("item without record or error: %+v", it)
			}
		}
	})
}

func FuzzReadJSON(f *testing.F) {
	f.Add([]byte(`{"id":"B.LB.1","leikakeys":["99007002017000"],"details":[{"code":"02","xZufiCategory":"TEXT_MODUL","text":"x"},{"xZufiCategory":"FRIST","details":[{"title":"Widerspruch","text":"1 bis 2 Monate"}]},{"xZufiCategory":"KOSTEN","details":[{"text":"10,00 EUR bis 1.000 EUR"}]}],"onlineServiceLinks":[{"id":"B.OD.1","uri":"https://x"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := ReadJSON(b, "fuzz.json")
		if err != nil {
			return
		}
		for _, it := range items {
			if it.Err == nil && it.Record == nil {
				t.Fatalf("item without record or error: %+v", it)
			}
		}
	})
}
