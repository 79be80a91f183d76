package federation

import (
	"encoding/json"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

// TestStagedItemsDecodeAsStaged: a staged item reads back as the item
// that was staged, in the compact form and in the JSON of earlier
// versions; a damaged one is an error, not a wrong item.
func TestStagedItemsDecodeAsStaged(t *testing.T) {
	when := time.Date(2025, 1, 31, 12, 0, 0, 123, time.UTC)
	for _, it := range []Item{
		{Op: OpPut, Kind: catalog.KindOffice, ID: "HE.OE.0000000007", Origin: "HE", Revision: 4702, Version: 3, Time: when,
			Record: json.RawMessage(`{"id":"HE.OE.0000000007","origin":"HE","rev":4702,"name":{"de":{"value":"Amt ä"}}}`)},
		{Op: OpPut, Kind: catalog.KindRegion, ID: "060000000000", Origin: "HE", Revision: 1},
	} {
		for name, data := range map[string][]byte{"compact": encodeStaged(nil, &it), "json": must(json.Marshal(it))} {
			got, err := decodeStaged(string(it.Kind), it.ID, data)
			if err != nil {
				t.Fatalf("%s %s: %v", name, it.ID, err)
			}
			if !reflect.DeepEqual(got, it) {
				t.Errorf("%s: read back %+v, staged %+v", name, got, it)
			}
			if rev, err := itemRevision(data); err != nil || rev != it.Revision {
				t.Errorf("%s: revision %d, %v; want %d", name, rev, err, it.Revision)
			}
		}
		data := encodeStaged(nil, &it)
		for _, cut := range [][]byte{nil, data[:1], data[:3], append([]byte{0x02}, data[1:]...)} {
			if _, err := decodeStaged(string(it.Kind), it.ID, cut); err == nil {
				t.Errorf("a damaged staged item %q decoded", cut)
			}
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestStagedDigestMatchesCanonicalDigest stages items as a resync does,
// with IDs one of which is the prefix of another and kinds whose names
// share a prefix, and checks that the digest computed while walking the
// staging keys is the protocol's (the lines sorted and hashed), that the
// count and the kinds to apply are right, and that stagedIn finds exactly
// the staged records.
func TestStagedDigestMatchesCanonicalDigest(t *testing.T) {
	st := catalogtest.Open(t, catalog.Options{Portal: "BY"})
	items := []Item{
		{Op: OpPut, Kind: catalog.KindRegion, ID: "060000000000", Origin: "HE", Revision: 3},
		{Op: OpPut, Kind: catalog.KindResponsibility, ID: "HE.ZS.1", Origin: "HE", Revision: 12, Record: json.RawMessage(`{"id":"HE.ZS.1","rev":12}`)},
		{Op: OpPut, Kind: catalog.KindResponsibility, ID: "HE.ZS.10", Origin: "HE", Revision: 9},
		{Op: OpPut, Kind: catalog.KindResponsibility, ID: "HE.ZS.1 0", Origin: "HE", Revision: 7},
		{Op: OpPut, Kind: catalog.KindService, ID: "HE.LB.2", Origin: "HE", Revision: 100},
		{Op: OpPut, Kind: catalog.KindOffice, ID: "HE.OE.9", Origin: "HE", Revision: 1},
		{Op: OpPut, Kind: "gadget", ID: "x", Origin: "HE", Revision: 5},
	}
	var lines []string
	err := st.Update(ctx, func(tx *catalog.Tx) error {
		for i, it := range items {
			// Half staged as an earlier version did (JSON), half as now.
			data, err := json.Marshal(it)
			if err != nil {
				return err
			}
			if i%2 == 0 {
				data = encodeStaged(nil, &it)
			}
			if err := tx.SetPeerData(recordKey(keyStaging, "HE", it.Kind, it.ID), data); err != nil {
				return err
			}
			lines = append(lines, canonicalLine(it.Kind, it.ID, it.Revision))
		}
		// Another peer's staging is not part of it.
		return tx.SetPeerData(recordKey(keyStaging, "HEX", catalog.KindOffice, "HE.OE.1"), []byte(`{"revision":1}`))
	})
	if err != nil {
		t.Fatal(err)
	}
	want := CanonicalDigest(lines)
	err = st.View(ctx, func(tx *catalog.Tx) error {
		sum, err := summariseStaging(tx, "HE")
		if err != nil {
			return err
		}
		if sum.count != len(items) || sum.digest != want {
			t.Errorf("staged %d records with digest %s; want %d and %s", sum.count, sum.digest, len(items), want)
		}
		if last := sum.kinds[len(sum.kinds)-1]; last != "gadget" {
			t.Errorf("kinds to apply %v: the unknown kind is not last", sum.kinds)
		}
		in := stagedIn(tx, "HE")
		if !in(catalog.KindResponsibility, "HE.ZS.10") || in(catalog.KindResponsibility, "HE.ZS.2") || in(catalog.KindOffice, "HE.OE.1") {
			t.Error("stagedIn does not report exactly the staged records")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestItemRevisionReadsTheHead reads the revision of staged items whatever
// the order of their fields, and refuses one without a revision.
func TestItemRevisionReadsTheHead(t *testing.T) {
	for in, want := range map[string]uint64{
		`{"op":"put","kind":"office","id":"a","origin":"HE","revision":42,"record":{"id":"a"}}`: 42,
		`{"record":{"revision":1,"x":[1,{"y":2}]},"revision":7}`:                                7,
	} {
		if got, err := itemRevision([]byte(in)); err != nil || got != want {
			t.Errorf("itemRevision(%s) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{`{"op":"put"}`, `[]`, `{"revision":"x"}`, ``} {
		if _, err := itemRevision([]byte(in)); err == nil {
			t.Errorf("itemRevision(%s) did not fail", in)
		}
	}
}

// TestResyncStagingResumesAfterAFailedPage resyncs in pages of three
// records; the publisher fails the fourth page once, while the puller
// already fetches the next one ahead. The failed resync stages the pages
// before it and nothing after; the next one does not ask for the manifest
// or the staged pages again, starts at the page that failed, and the
// mirror ends up holding exactly the publisher's records.
func TestResyncStagingResumesAfterAFailedPage(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	svcs, offices := he.seed(t, 10)
	opt := fastOptions()
	opt.PageLimit = 3
	p := newTestPuller(t, by, he, opt)
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	changeAndCompact(t, he, svcs, offices)

	var mu sync.Mutex
	var asked []string // snapshot page tokens and "manifest", in order
	failed := ""
	he.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		mu.Lock()
		switch {
		case isManifest(r):
			asked = append(asked, "manifest")
		case isSnapPage(r):
			tok := r.URL.Query().Get("page")
			asked = append(asked, tok)
			if pages := len(asked) - 1; pages == 4 && failed == "" {
				failed = tok
				mu.Unlock()
				http.Error(w, "busy", http.StatusServiceUnavailable)
				return
			}
		}
		mu.Unlock()
		next.ServeHTTP(w, r)
	})
	if err := p.Sync(ctx); err == nil {
		t.Fatal("the resync with a failed page reported success")
	}
	var staged int
	var next string
	by.st.View(ctx, func(tx *catalog.Tx) error {
		staged = countPrefix(tx, keyStaging+"HE/")
		var ss stagingState
		if v := tx.PeerData(keySnapshot + "HE"); v != nil {
			json.Unmarshal(v, &ss)
		}
		next = ss.Next
		return nil
	})
	if staged != 9 || next != failed {
		t.Fatalf("after the failed page: %d records staged, resuming at %q; want 9 (three pages) and the failed page %q", staged, next, failed)
	}
	mu.Lock()
	asked = nil
	mu.Unlock()
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	if len(asked) == 0 || asked[0] != failed {
		t.Errorf("the resumed resync asked first for %v, want the failed page %q", asked[:min(1, len(asked))], failed)
	}
	mu.Unlock()
	if d := mirrors(t, by, he); d != "" {
		t.Fatal(d)
	}
	if st := p.Status(); st.Resyncs != 1 {
		t.Errorf("status after the resumed resync: %+v", st)
	}
}
