package federation

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
)

// xzufiPeer configures c to mirror the XZuFi files at url as peer id,
// with the puller options opt.
func xzufiPeer(t *testing.T, c *instance, id, url string, opt PullerOptions) *Puller {
	t.Helper()
	if _, err := AddPeer(ctx, c.st, Peer{ID: id, URL: url, Kind: KindXZuFi, RegionKey: "060000000000"}); err != nil {
		t.Fatal(err)
	}
	p, err := NewPuller(c.st, id, opt)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// count returns how many records of an origin (regions aside) c holds.
func count(t *testing.T, c *instance, origin string) int {
	return len(c.recordsOf(t, origin))
}

// TestXZuFiMirror runs two instances: HE publishes its catalogue at
// /xzufi/ and BY mirrors it as a peer of kind xzufi.
func TestXZuFiMirror(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	svcs, _ := he.seed(t, 6)
	pub := xzufi.NewPublisher(he.st, filepath.Join(t.TempDir(), "xzufi"), xzufi.ExportOptions{}, nil)
	if _, err := pub.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	var indexGets, notModified int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		pub.Handler().ServeHTTP(rec, r)
		if strings.HasSuffix(r.URL.Path, "index.txt") {
			indexGets++
			if rec.Code == http.StatusNotModified {
				notModified++
			}
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()

	p := xzufiPeer(t, by, "HE", srv.URL+"/xzufi/", PullerOptions{})
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := he.recordsOf(t, "HE")
	sameRecords(t, want, by.recordsOf(t, "HE"))
	st := p.Status()
	if st.Kind != KindXZuFi || st.LastSuccess.IsZero() || st.Degraded != "" || st.Applied != int64(len(want)) {
		t.Errorf("status = %+v; want a success that applied %d", st, len(want))
	}

	// Mirrored records are read-only and answer for HE's places.
	err := by.st.View(ctx, func(tx *catalog.Tx) error {
		ls, err := tx.LocalService(svcs[0].LeikaKeys[0], place["HE"], time.Now())
		if err != nil {
			return err
		}
		if ls.Service.Origin != "HE" || len(ls.Offices) == 0 {
			t.Errorf("local service for Kassel = %s with %d offices; want HE's with its office", ls.Service.Origin, len(ls.Offices))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := func() (*catalog.Service, error) {
		var s *catalog.Service
		err := by.st.View(ctx, func(tx *catalog.Tx) error { var err error; s, err = tx.Service(svcs[0].ID); return err })
		return s, err
	}()
	err = by.st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "editor"}) })
	if catalog.ErrorCode(err) != catalog.EFORBIDDEN {
		t.Errorf("editing a mirrored service: %v, want FORBIDDEN", err)
	}

	// Unchanged: the index is asked for conditionally and answers 304.
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if notModified != 1 {
		t.Errorf("%d of %d index requests answered 304, want the second", notModified, indexGets)
	}

	// A change and a deletion at HE arrive with the next export.
	svcs[1].Texts[catalog.ModuleShortText] = svcs[1].Texts[catalog.ModuleName]
	he.put(t, svcs[1])
	he.del(t, catalog.KindResponsibility, firstResponsibility(t, he))
	if _, err := pub.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	sameRecords(t, he.recordsOf(t, "HE"), by.recordsOf(t, "HE"))
}

func firstResponsibility(t *testing.T, in *instance) string {
	var id string
	in.st.View(ctx, func(tx *catalog.Tx) error {
		return tx.Each(catalog.KindResponsibility, func(r catalog.Record) (bool, error) { id = catalog.MetaOf(r).ID; return false, nil })
	})
	return id
}

// TestXZuFiMirrorBadInput serves HE's export from a directory the test
// damages: every kind of bad input is refused with nothing deleted and the
// peer degraded with the reason; one invalid object is quarantined while
// the rest apply.
func TestXZuFiMirrorBadInput(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	he.seed(t, 8)
	good := t.TempDir()
	m, err := xzufi.Export(ctx, he.st, good, xzufi.ExportOptions{MaxObjects: 2})
	if err != nil {
		t.Fatal(err)
	}
	total := len(he.recordsOf(t, "HE"))

	cases := []struct {
		name   string
		damage func(t *testing.T, dir string)
		reason string
	}{
		{"IndexShrinksByHalf", func(t *testing.T, dir string) {
			names := make([]string, len(m.Files))
			for i, f := range m.Files {
				names[i] = f.Name
			}
			writeFile(t, filepath.Join(dir, "index.txt"), strings.Join(names[:len(names)/2], "\r\n")+"\r\n")
		}, "would delete"},
		{"EmptyIndex", func(t *testing.T, dir string) { writeFile(t, filepath.Join(dir, "index.txt"), "\n") }, "lists no files"},
		{"MissingFile", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, m.Files[1].Name)) }, "404"},
		{"TruncatedFile", func(t *testing.T, dir string) {
			b := readFile(t, filepath.Join(dir, m.Files[0].Name))
			writeFile(t, filepath.Join(dir, m.Files[0].Name), b[:len(b)/2])
		}, "XML"},
		{"UnknownElement", func(t *testing.T, dir string) {
			b := readFile(t, filepath.Join(dir, m.Files[0].Name))
			writeFile(t, filepath.Join(dir, m.Files[0].Name), strings.Replace(b, "<xzufi:referenzLeiKa", "<xzufi:geheim>x</xzufi:geheim><xzufi:referenzLeiKa", 1))
		}, "unknown element <geheim>"},
		{"Doctype", func(t *testing.T, dir string) {
			b := readFile(t, filepath.Join(dir, m.Files[0].Name))
			writeFile(t, filepath.Join(dir, m.Files[0].Name), strings.Replace(b, "?>", "?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>", 1))
		}, "DOCTYPE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyDir(t, good)
			srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
			defer srv.Close()
			by := newInstance(t, "BY", "090000000000")
			p := xzufiPeer(t, by, "HE", srv.URL, PullerOptions{})
			// A good pull first, so that there is something to lose.
			if err := p.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			tc.damage(t, dir)
			err := p.Sync(ctx)
			var r *refusal
			if !errors.As(err, &r) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("Sync = %v; want a refusal saying %q", err, tc.reason)
			}
			if got := count(t, by, "HE"); got != total {
				t.Errorf("after the refusal BY holds %d records of HE, want all %d", got, total)
			}
			st := p.Status()
			if st.State != StateDegraded || !strings.Contains(st.Degraded, tc.reason) {
				t.Errorf("status %s %q; want degraded saying %q", st.State, st.Degraded, tc.reason)
			}
		})
	}

	t.Run("InvalidObjectQuarantined", func(t *testing.T) {
		dir := copyDir(t, good)
		b := readFile(t, filepath.Join(dir, m.Files[0].Name))
		i := strings.Index(b, "<code>99")
		writeFile(t, filepath.Join(dir, m.Files[0].Name), b[:i]+"<code>123"+b[i+len("<code>99"):])
		srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
		defer srv.Close()
		by := newInstance(t, "BY", "090000000000")
		p := xzufiPeer(t, by, "HE", srv.URL, PullerOptions{})
		if err := p.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		q, err := Quarantine(ctx, by.st, "HE")
		if err != nil {
			t.Fatal(err)
		}
		// The service, and its responsibility that names it.
		if len(q) != 2 || q[1].Kind != catalog.KindService || !strings.Contains(q[1].Reason, "is not 14 digits") || !strings.Contains(q[1].Reason, m.Files[0].Name+":12:") ||
			q[0].Kind != catalog.KindResponsibility || !strings.Contains(q[0].Reason, "names service") {
			t.Fatalf("quarantine = %+v; want the service with a bad LeiKa key, naming file and position, and its responsibility", q)
		}
		// The rest applied: all but the service and its responsibility.
		if got := count(t, by, "HE"); got != total-2 {
			t.Errorf("BY holds %d records of HE, want %d", got, total-2)
		}
		// Nothing was refused, but the mirror is incomplete: degraded for
		// the quarantine, naming it.
		if st := p.Status(); st.Quarantined != 2 || st.State != StateDegraded || !strings.Contains(st.Degraded, "2 of the peer's records are quarantined") {
			t.Errorf("status quarantined %d, %s: %q; want 2 (the service and its responsibility), degraded for the quarantine", st.Quarantined, st.State, st.Degraded)
		}
	})
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func copyDir(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		writeFile(t, filepath.Join(dst, e.Name()), readFile(t, filepath.Join(src, e.Name())))
	}
	return dst
}

// sameRecords compares the content of an origin's records with a mirror's.
func sameRecords(t *testing.T, origin, mirror map[string]recordInfo) {
	t.Helper()
	for k, o := range origin {
		if m, ok := mirror[k]; !ok {
			t.Errorf("%s not mirrored", k)
		} else if m.fp != o.fp {
			t.Errorf("%s differs in the mirror:\n got %s\nwant %s", k, m.fp, o.fp)
		}
	}
	for k := range mirror {
		if _, ok := origin[k]; !ok {
			t.Errorf("%s mirrored but gone at the origin", k)
		}
	}
}
