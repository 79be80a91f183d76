package federation

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// A peer with quarantined records is degraded, not "following": the status
// names the reason and the first records. Released records that apply now
// leave the quarantine; discarded ones are dropped. (Before, a peer whose
// every record was quarantined showed "following" with no errors.)
func TestQuarantineDegradesAndReleases(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	svcs, _ := he.seed(t, 2)
	// An office at a place BY does not know: its region is kept out of
	// the feed, so the office waits in quarantine for it.
	hersfeld := &catalog.Region{Meta: catalog.Meta{ID: "066320000000"}, Name: "Landkreis Hersfeld-Rotenburg", Level: catalog.LevelKreis, ParentKey: "066000000000"}
	he.put(t, hersfeld)
	office := newOffice("Kreisverwaltung", "066320000000")
	he.put(t, office)
	p := newTestPuller(t, by, he, fastOptions())
	he.setHook(tamper(isChanges, func(b []byte, _ string) ([]byte, string) {
		var pg Page
		json.Unmarshal(b, &pg)
		items := pg.Items[:0]
		for _, it := range pg.Items {
			switch it.ID {
			case hersfeld.ID:
				continue
			case svcs[0].ID:
				it.Record = json.RawMessage(`[1,2,3]`)
			}
			items = append(items, it)
		}
		pg.Items = items
		out, _ := json.Marshal(pg)
		return out, Sign(he.key, he.kid(), out)
	}))
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	st := p.Status()
	if st.State != StateDegraded || st.Quarantined != 2 {
		qs, _ := Quarantine(ctx, by.st, "HE")
		t.Fatalf("state %q with %d quarantined, want degraded with 2: %+v", st.State, st.Quarantined, qs)
	}
	if !strings.Contains(st.Degraded, "2 of the peer's records are quarantined") || len(st.QuarantinedIDs) != 2 {
		t.Errorf("reason %q, ids %v", st.Degraded, st.QuarantinedIDs)
	}
	joined := strings.Join(st.QuarantinedIDs, ",")
	if !strings.Contains(joined, office.ID) || !strings.Contains(joined, svcs[0].ID) {
		t.Errorf("ids %v, want %s and %s", st.QuarantinedIDs, office.ID, svcs[0].ID)
	}

	// Released before BY knows the place: it fails again and stays.
	res, err := ReleaseQuarantine(ctx, by.st, "HE", []string{office.ID}, false, fastOptions())
	if err != nil || res != (Release{Kept: 1}) {
		t.Fatalf("release = %+v, %v; want 1 kept", res, err)
	}
	by.put(t, &catalog.Region{Meta: catalog.Meta{ID: hersfeld.ID}, Name: hersfeld.Name, Level: hersfeld.Level, ParentKey: hersfeld.ParentKey})
	res, err = ReleaseQuarantine(ctx, by.st, "HE", []string{office.ID}, false, fastOptions())
	if err != nil || res != (Release{Applied: 1}) {
		t.Fatalf("release = %+v, %v; want 1 applied", res, err)
	}
	if err := by.st.View(ctx, func(tx *catalog.Tx) error { _, err := tx.Office(office.ID); return err }); err != nil {
		t.Errorf("released office: %v", err)
	}
	res, err = ReleaseQuarantine(ctx, by.st, "HE", nil, true, fastOptions())
	if err != nil || res != (Release{Discarded: 1}) {
		t.Fatalf("discard = %+v, %v; want 1 discarded", res, err)
	}
	if _, err := ReleaseQuarantine(ctx, by.st, "HE", []string{"HE.OE.404"}, false, fastOptions()); catalog.ErrorCode(err) != catalog.ENOTFOUND {
		t.Errorf("release of an unknown ID: %v, want NOT_FOUND", err)
	}
	p2 := newTestPuller(t, by, he, fastOptions())
	if st := p2.Status(); st.State == StateDegraded || st.Quarantined != 0 {
		t.Errorf("after release: state %q, %d quarantined", st.State, st.Quarantined)
	}
}
