package catalogtest

import (
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Region keys of the fixture hierarchy (real keys, Destatis ARS).
const (
	Bund        = catalog.Bund
	Hessen      = "060000000000"
	RBKassel    = "066000000000" // Regierungsbezirk Kassel
	RBDarmstadt = "064000000000"
	Kassel      = "066110000000" // the district-free city
	LKKassel    = "066330000000" // Landkreis Kassel
	Werra       = "066360000000" // Werra-Meißner-Kreis
	Eschwege    = "066360003003"
	Sooden      = "066360001001" // Bad Sooden-Allendorf
	Darmstadt   = "064110000000"
	MainKinzig  = "064350000000"
	HanauOld    = "064350014014" // a municipality of the Main-Kinzig-Kreis until 2025-12-31
	HanauNew    = "064150000000" // district-free from 2026-01-01
	Bayern      = "090000000000"
	Oberbayern  = "091000000000"
	Muenchen    = "091620000000"
)

// HanauReform is the day Hanau became district-free and changed its key
// (see catalog/demo/data/regions.json.gz).
var HanauReform = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Regions returns a fresh copy of the fixture hierarchy, parents first:
// Bund > Hessen > Reg.-Bez. Kassel > Werra-Meißner-Kreis > Eschwege, Bad
// Sooden-Allendorf; Kassel (district-free) and Landkreis Kassel; Reg.-Bez.
// Darmstadt > Darmstadt, Main-Kinzig-Kreis > Hanau (until 2025-12-31) and
// Hanau (district-free from 2026-01-01); Bayern > Oberbayern > München.
func Regions() []*catalog.Region {
	lastDay := HanauReform.AddDate(0, 0, -1)
	reform := HanauReform
	r := func(id, name string, level catalog.Level, typ, parent string, postcodes ...string) *catalog.Region {
		return &catalog.Region{Meta: catalog.Meta{ID: id}, Name: name, Level: level, Type: typ, ParentKey: parent, PostalCodes: postcodes}
	}
	hanauOld := r(HanauOld, "Hanau, Brüder-Grimm-Stadt", catalog.LevelGemeinde, "Stadt", MainKinzig, "63450")
	hanauOld.Validity.To, hanauOld.SuccessorKey, hanauOld.Population = &lastDay, HanauNew, 89688
	hanauNew := r(HanauNew, "Hanau", catalog.LevelKreis, "Kreisfreie Stadt", RBDarmstadt, "63450")
	hanauNew.Validity.From, hanauNew.Population = &reform, 89688
	return []*catalog.Region{
		r(Bund, "Bund", catalog.LevelBund, "", ""),
		r(Hessen, "Hessen", catalog.LevelLand, "Land", Bund),
		r(RBKassel, "Reg.-Bez. Kassel", catalog.LevelRegierungsbezirk, "", Hessen),
		r(RBDarmstadt, "Reg.-Bez. Darmstadt", catalog.LevelRegierungsbezirk, "", Hessen),
		r(Werra, "Werra-Meißner-Kreis", catalog.LevelKreis, "Landkreis", RBKassel),
		r(Eschwege, "Eschwege, Kreisstadt", catalog.LevelGemeinde, "Stadt", Werra, "37269"),
		r(Sooden, "Bad Sooden-Allendorf, Stadt", catalog.LevelGemeinde, "Stadt", Werra, "37242"),
		r(Kassel, "Kassel, documenta-Stadt", catalog.LevelKreis, "Kreisfreie Stadt", RBKassel, "34117", "34119"),
		r(LKKassel, "Kassel", catalog.LevelKreis, "Landkreis", RBKassel),
		r(Darmstadt, "Darmstadt, Wissenschaftsstadt", catalog.LevelKreis, "Kreisfreie Stadt", RBDarmstadt, "64283"),
		r(MainKinzig, "Main-Kinzig-Kreis", catalog.LevelKreis, "Landkreis", RBDarmstadt),
		hanauOld,
		hanauNew,
		r(Bayern, "Bayern", catalog.LevelLand, "Freistaat", Bund),
		r(Oberbayern, "Oberbayern", catalog.LevelRegierungsbezirk, "", Bayern),
		r(Muenchen, "München, Landeshauptstadt", catalog.LevelKreis, "Kreisfreie Stadt", Oberbayern, "80331"),
	}
}

// PutRegions writes the fixture hierarchy (Regions) into st.
func PutRegions(t testing.TB, st *catalog.Store) {
	t.Helper()
	var recs []catalog.Record
	for _, r := range Regions() {
		recs = append(recs, r)
	}
	Put(t, st, recs...)
}
