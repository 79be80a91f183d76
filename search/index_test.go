package search

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// write runs fn in one store transaction.
func write(t testing.TB, st *catalog.Store, fn func(tx *catalog.Tx) error) {
	t.Helper()
	require.NoError(t, st.Update(ctx, fn))
}

func service(t testing.TB, st *catalog.Store, id string) *catalog.Service {
	t.Helper()
	var s *catalog.Service
	require.NoError(t, st.View(ctx, func(tx *catalog.Tx) error {
		var err error
		s, err = tx.Service(id)
		return err
	}))
	return s
}

// found reports whether a search for q (at ars) has the service with key.
func found(t testing.TB, ix *Index, q, ars, key string) bool {
	t.Helper()
	res, err := ix.Search(ctx, Request{Query: q, ARS: ars, First: MaxFirst})
	require.NoError(t, err)
	for _, h := range res.Hits {
		for _, k := range h.LeikaKeys {
			if k == key {
				return true
			}
		}
	}
	return false
}

const keyNew = "99123456789000"

func newPublished(name string) *catalog.Service {
	return &catalog.Service{Status: catalog.StatusPublished, LeikaKeys: []string{keyNew},
		Texts: map[catalog.Module]i18n.Text{catalog.ModuleName: i18n.German(name)}, Categories: []string{"Test"}}
}

func TestOpenInMemory(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	n, err := ix.DocCount()
	require.NoError(t, err)
	assert.Equal(t, len(fixtureServices)-1, n, "every published service, not the draft")
	assert.Equal(t, f.st.Revision(), ix.Revision())
	assert.False(t, found(t, ix, "Hundeführerschein", "", keyDraft), "a draft is not searchable")
}

func TestCatchUpFollowsServices(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	s := newPublished("Zeppelinlandeerlaubnis")
	write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "test"}) })
	assert.False(t, found(t, ix, "Zeppelinlandeerlaubnis", "", keyNew), "not before catching up")

	steps := []struct {
		name   string
		change func(tx *catalog.Tx) error
		want   bool
	}{
		{"Published", func(tx *catalog.Tx) error { return nil }, true},
		{"Draft", func(tx *catalog.Tx) error {
			cur, _ := tx.Service(s.ID)
			cur.Status = catalog.StatusDraft
			return tx.Put(cur, catalog.Write{Actor: "test"})
		}, false},
		{"Republished", func(tx *catalog.Tx) error {
			cur, _ := tx.Service(s.ID)
			cur.Status = catalog.StatusPublished
			return tx.Put(cur, catalog.Write{Actor: "test"})
		}, true},
		{"Renamed", func(tx *catalog.Tx) error {
			cur, _ := tx.Service(s.ID)
			cur.Texts[catalog.ModuleName] = i18n.German("Luftschifflandeerlaubnis")
			return tx.Put(cur, catalog.Write{Actor: "test"})
		}, false},
		{"Archived", func(tx *catalog.Tx) error {
			cur, _ := tx.Service(s.ID)
			cur.Status = catalog.StatusArchived
			cur.Texts[catalog.ModuleName] = i18n.German("Zeppelinlandeerlaubnis")
			return tx.Put(cur, catalog.Write{Actor: "test"})
		}, false},
		{"Deleted", func(tx *catalog.Tx) error { return tx.Delete(catalog.KindService, s.ID, catalog.Write{Actor: "test"}) }, false},
	}
	for _, step := range steps {
		t.Run(step.name, func(t *testing.T) {
			write(t, f.st, step.change)
			require.NoError(t, ix.CatchUp(ctx))
			assert.Equal(t, f.st.Revision(), ix.Revision())
			assert.Equal(t, step.want, found(t, ix, "Zeppelinlandeerlaubnis", "", keyNew))
		})
	}
	assert.True(t, found(t, ix, "Luftschifflandeerlaubnis", "", keyNew) == false, "the old name is gone with the document")
}

func TestCatchUpFollowsResponsibilities(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	require.True(t, found(t, ix, "Hundesteuer", arsDarmstadt, keyHundesteuer))

	// Remove the responsibility at Darmstadt: the service leaves its
	// region filter, and stays at Eschwege.
	var resp *catalog.Responsibility
	require.NoError(t, f.st.View(ctx, func(tx *catalog.Tx) error {
		return tx.Each(catalog.KindResponsibility, func(r catalog.Record) (bool, error) {
			rr := r.(*catalog.Responsibility)
			if rr.LeikaKey == keyHundesteuer && rr.RegionKey == arsDarmstadt {
				resp = rr
				return false, nil
			}
			return true, nil
		})
	}))
	require.NotNil(t, resp)
	write(t, f.st, func(tx *catalog.Tx) error {
		return tx.Delete(catalog.KindResponsibility, resp.ID, catalog.Write{Actor: "test"})
	})
	require.NoError(t, ix.CatchUp(ctx))
	assert.False(t, found(t, ix, "Hundesteuer", arsDarmstadt, keyHundesteuer))
	assert.True(t, found(t, ix, "Hundesteuer", arsEschwege, keyHundesteuer))

	// Move the Eschwege responsibility of the dog tax to the Reisepass key:
	// both services' documents change.
	var esch *catalog.Responsibility
	require.NoError(t, f.st.View(ctx, func(tx *catalog.Tx) error {
		return tx.Each(catalog.KindResponsibility, func(r catalog.Record) (bool, error) {
			rr := r.(*catalog.Responsibility)
			if rr.LeikaKey == keyGrundsteuer && rr.RegionKey == arsDarmstadt {
				esch = rr
				return false, nil
			}
			return true, nil
		})
	}))
	require.NotNil(t, esch)
	write(t, f.st, func(tx *catalog.Tx) error {
		esch.LeikaKey = keyHundesteuer
		return tx.Put(esch, catalog.Write{Actor: "test"})
	})
	require.NoError(t, ix.CatchUp(ctx))
	assert.True(t, found(t, ix, "Hundesteuer", arsDarmstadt, keyHundesteuer), "the moved responsibility counts for its new key")
	assert.False(t, found(t, ix, "Grundsteuer", arsDarmstadt, keyGrundsteuer), "and no longer for its old one")

	// An online service makes hasOnline true.
	online := true
	res, err := ix.Search(ctx, Request{Query: "Hundesteuer", Filter: Filter{HasOnline: &online}})
	require.NoError(t, err)
	assert.Zero(t, res.Total)
	write(t, f.st, func(tx *catalog.Tx) error {
		return tx.Put(&catalog.Responsibility{LeikaKey: keyHundesteuer, RegionKey: catalog.Bund,
			OnlineServiceID: f.online, Role: catalog.RoleResponsible}, catalog.Write{Actor: "test"})
	})
	require.NoError(t, ix.CatchUp(ctx))
	res, err = ix.Search(ctx, Request{Query: "Hundesteuer", Filter: Filter{HasOnline: &online}})
	require.NoError(t, err)
	assert.Equal(t, []string{keyHundesteuer}, leikaOf(res.Hits))
}

func openDisk(t testing.TB, path string, st *catalog.Store) *Index {
	t.Helper()
	ix, err := Open(path, st, nil)
	require.NoError(t, err)
	return ix
}

func TestRestartCatchesUpWithoutRebuild(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "search")
	ix := openDisk(t, path, f.st)
	assert.EqualValues(t, 1, ix.rebuilds.Load(), "a new index is built")
	require.NoError(t, ix.Close())

	// Changes while the index is closed.
	s := newPublished("Zeppelinlandeerlaubnis")
	write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "test"}) })

	ix = openDisk(t, path, f.st)
	defer ix.Close()
	assert.Zero(t, ix.rebuilds.Load(), "reopened without a rebuild")
	assert.Equal(t, f.st.Revision(), ix.Revision())
	assert.True(t, found(t, ix, "Zeppelinlandeerlaubnis", "", keyNew))
}

// TestCrashMidCatchUp stops after one page of the change log, as a crash
// would, and checks that the next Open resumes from that page's checkpoint.
func TestCrashMidCatchUp(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "search")
	ix := openDisk(t, path, f.st)
	start := ix.Revision()
	names := []string{"Zeppelinlandeerlaubnis", "Ballonstartgenehmigung", "Luftschiffhangar"}
	ids := make([]string, len(names))
	for i, n := range names {
		s := newPublished(n)
		s.LeikaKeys = []string{"9912345678900" + string(rune('1'+i))}
		write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "test"}) })
		ids[i] = s.ID
	}
	ix.pageSize = 1
	ix.wmu.Lock()
	more, err := ix.applyPage(ctx, ix.cur)
	ix.wmu.Unlock()
	require.NoError(t, err)
	require.True(t, more)
	assert.Equal(t, start+1, ix.Revision(), "one page applied")
	require.NoError(t, ix.Close()) // the crash: nothing after the first batch

	b, err := bleve.Open(path)
	require.NoError(t, err)
	cp, err := b.GetInternal(keyCheckpoint)
	require.NoError(t, err)
	n, err := b.DocCount()
	require.NoError(t, err)
	require.NoError(t, b.Close())
	assert.Equal(t, start+1, beUint64(cp), "the checkpoint went to disk with its batch")
	assert.EqualValues(t, len(fixtureServices), n, "with the document of that batch")

	ix = openDisk(t, path, f.st)
	defer ix.Close()
	assert.Zero(t, ix.rebuilds.Load())
	assert.Equal(t, f.st.Revision(), ix.Revision())
	for i, n := range names {
		assert.True(t, found(t, ix, n, "", "9912345678900"+string(rune('1'+i))), n)
	}
}

func beUint64(b []byte) uint64 {
	var n uint64
	for _, c := range b {
		n = n<<8 | uint64(c)
	}
	return n
}

func TestMappingVersionTriggersRebuild(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "search")
	require.NoError(t, openDisk(t, path, f.st).Close())

	b, err := bleve.Open(path)
	require.NoError(t, err)
	require.NoError(t, b.SetInternal(keyMapping, []byte("0")))
	require.NoError(t, b.Close())

	ix := openDisk(t, path, f.st)
	defer ix.Close()
	assert.EqualValues(t, 1, ix.rebuilds.Load(), "an index of another mapping version is rebuilt")
	assert.True(t, found(t, ix, "Hundesteuer", "", keyHundesteuer))
	b2, err := bleve.Open(path + ".old")
	if err == nil {
		b2.Close()
	}
	assert.Error(t, err, "the old index is removed")
}

func TestOtherStoreTriggersRebuild(t *testing.T) {
	a := newFixture(t)
	path := filepath.Join(t.TempDir(), "search")
	require.NoError(t, openDisk(t, path, a.st).Close())

	// Another store (a restored backup, another data directory) with a
	// longer history than the index's checkpoint.
	b := newFixture(t)
	write(t, b.st, func(tx *catalog.Tx) error {
		return tx.Put(newPublished("Zeppelinlandeerlaubnis"), catalog.Write{Actor: "test"})
	})
	ix := openDisk(t, path, b.st)
	defer ix.Close()
	assert.EqualValues(t, 1, ix.rebuilds.Load())
	assert.True(t, found(t, ix, "Zeppelinlandeerlaubnis", "", keyNew))
}

func TestRebuild(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	var last [2]int
	calls := 0
	require.NoError(t, ix.Rebuild(ctx, func(done, total int) { last = [2]int{done, total}; calls++ }))
	assert.Equal(t, [2]int{len(fixtureServices), len(fixtureServices)}, last)
	assert.Positive(t, calls)
	assert.True(t, found(t, ix, "Hundesteuer", "", keyHundesteuer))

	t.Run("Canceled", func(t *testing.T) {
		c, cancel := context.WithCancel(ctx)
		cancel()
		assert.ErrorIs(t, ix.Rebuild(c, nil), context.Canceled)
		assert.True(t, found(t, ix, "Hundesteuer", "", keyHundesteuer), "the old index stays")
	})

	t.Run("SearchesDuringRebuild", func(t *testing.T) {
		var wg sync.WaitGroup
		stop := make(chan struct{})
		for range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					res, err := ix.Search(ctx, Request{Query: "Hundesteuer"})
					if assert.NoError(t, err) {
						assert.NotZero(t, res.Total)
					}
				}
			}()
		}
		for range 3 {
			require.NoError(t, ix.Rebuild(ctx, nil))
		}
		close(stop)
		wg.Wait()
	})
}

func TestRun(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	c, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- ix.Run(c) }()

	s := newPublished("Zeppelinlandeerlaubnis")
	write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "test"}) })
	assert.Eventually(t, func() bool { return found(t, ix, "Zeppelinlandeerlaubnis", "", keyNew) }, 5*time.Second, 10*time.Millisecond)
	cancel()
	select {
	case err := <-done:
		assert.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestClosed(t *testing.T) {
	f := newFixture(t)
	ix, err := Open("", f.st, nil)
	require.NoError(t, err)
	require.NoError(t, ix.Close())
	_, err = ix.Search(ctx, Request{Query: "Hund"})
	assert.Equal(t, catalog.EINTERNAL, catalog.ErrorCode(err))
	assert.Error(t, ix.CatchUp(ctx))
	assert.NoError(t, ix.Run(ctx), "Run on a closed index returns")
	assert.NoError(t, ix.Close(), "closing twice")
}

func TestPlainText(t *testing.T) {
	assert.Equal(t, "Sie brauchen die Bestätigung & den Ausweis. Punkt",
		plainText("<p>Sie brauchen die <strong>Bestätigung</strong> &amp; den Ausweis.</p><ul><li>Punkt</li></ul>"))
	assert.Equal(t, "kein HTML", plainText("kein HTML"))
}

func TestValidityFilteredAtQueryTime(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	day := 24 * time.Hour
	future, past := time.Now().Add(30*day), time.Now().Add(-30*day)
	tests := []struct {
		name     string
		validity catalog.Validity
		want     bool
	}{
		{"Open", catalog.Validity{}, true},
		{"FromPast", catalog.Validity{From: &past}, true},
		{"FromFuture", catalog.Validity{From: &future}, false},
		{"ToPast", catalog.Validity{To: &past}, false},
		{"ToFuture", catalog.Validity{From: &past, To: &future}, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newPublished("Zeppelinlandeerlaubnis")
			key := "9912345678901" + string(rune('0'+i))
			s.LeikaKeys = []string{key}
			s.Validity = tt.validity
			write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "test"}) })
			require.NoError(t, ix.CatchUp(ctx))
			assert.Equal(t, tt.want, found(t, ix, "Zeppelinlandeerlaubnis", "", key))
		})
	}
	t.Run("Reopened", func(t *testing.T) {
		// An index opened from disk knows it holds a bounded validity.
		path := filepath.Join(t.TempDir(), "search")
		require.NoError(t, openDisk(t, path, f.st).Close())
		ix := openDisk(t, path, f.st)
		defer ix.Close()
		assert.False(t, found(t, ix, "Zeppelinlandeerlaubnis", "", "99123456789012"), "valid from a future day")
		assert.True(t, found(t, ix, "Zeppelinlandeerlaubnis", "", "99123456789010"), "open validity")
	})
}

func TestCompactedLogTriggersRebuild(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "search")

	t.Run("AtOpen", func(t *testing.T) {
		require.NoError(t, openDisk(t, path, f.st).Close())
		s := newPublished("Zeppelinlandeerlaubnis")
		write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "test"}) })
		write(t, f.st, func(tx *catalog.Tx) error {
			s.Texts[catalog.ModuleName] = i18n.German("Luftschifflandeerlaubnis")
			return tx.Put(s, catalog.Write{Actor: "test"})
		})
		_, err := f.st.Compact(ctx, f.st.Revision()-1)
		require.NoError(t, err)
		ix := openDisk(t, path, f.st)
		defer ix.Close()
		assert.EqualValues(t, 1, ix.rebuilds.Load())
		assert.True(t, found(t, ix, "Luftschifflandeerlaubnis", "", keyNew))
	})

	t.Run("WhileOpen", func(t *testing.T) {
		ix := openDisk(t, path, f.st)
		defer ix.Close()
		require.Zero(t, ix.rebuilds.Load())
		s := newPublished("Ballonstartgenehmigung")
		s.LeikaKeys = []string{"99123456789022"}
		write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "test"}) })
		write(t, f.st, func(tx *catalog.Tx) error {
			return tx.Put(newPublished("Heliumfüllung"), catalog.Write{Actor: "test"})
		})
		_, err := f.st.Compact(ctx, f.st.Revision()-1)
		require.NoError(t, err)
		require.NoError(t, ix.CatchUp(ctx))
		assert.EqualValues(t, 1, ix.rebuilds.Load(), "caught up by a rebuild")
		assert.True(t, found(t, ix, "Ballonstartgenehmigung", "", "99123456789022"))
		assert.Equal(t, f.st.Revision(), ix.Revision())
	})
}

// A mirror's first load writes its records before their index entries
// (catalog.Write.DeferIndexes). The index follows the records at once;
// once the entries are written (catalog.OpIndexed) the mirrored service
// is found at its places.
func TestCatchUpAfterDeferredIndexes(t *testing.T) {
	f := newFixture(t)
	ix := openMem(t, f.st)
	w := catalog.Write{Mirror: true, DeferIndexes: true}
	svc := newPublished("Fischereischein")
	svc.ID, svc.Origin, svc.RegionKey = "BY.LB.0000000001", "BY", catalogtest.Bayern
	office := &catalog.Office{Name: i18n.German("Landratsamt"), Kind: catalog.OfficeMunicipality, RegionKey: catalogtest.Muenchen}
	office.ID, office.Origin = "BY.OE.0000000001", "BY"
	resp := &catalog.Responsibility{LeikaKey: keyNew, RegionKey: catalogtest.Muenchen, OfficeID: office.ID, Role: catalog.RoleResponsible}
	resp.ID, resp.Origin = "BY.ZS.0000000001", "BY"
	write(t, f.st, func(tx *catalog.Tx) error {
		for _, r := range []catalog.Record{svc, office, resp} {
			if err := tx.Put(r, w); err != nil {
				return err
			}
		}
		return nil
	})
	require.NoError(t, ix.CatchUp(ctx))
	require.False(t, found(t, ix, "Fischereischein", catalogtest.Muenchen, keyNew),
		"found at Munich before the responsibility's index entries exist: the test proves nothing")

	_, err := f.st.BuildDeferredIndexes(ctx, "BY")
	require.NoError(t, err)
	require.NoError(t, ix.CatchUp(ctx))
	assert.True(t, found(t, ix, "Fischereischein", catalogtest.Muenchen, keyNew))
	assert.Equal(t, f.st.Revision(), ix.Revision())
}
