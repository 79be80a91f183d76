package federation

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// fetch GETs a feed path with a token and returns status, headers and body.
func fetch(t testing.TB, in *instance, token, path string, q url.Values, hdr map[string]string) (int, http.Header, []byte) {
	t.Helper()
	code, h, body, err := request(in, token, path, q, hdr)
	if err != nil {
		t.Fatal(err)
	}
	return code, h, body
}

// request is fetch for another goroutine than the test's: it returns the
// error instead of failing the test.
func request(in *instance, token, path string, q url.Values, hdr map[string]string) (int, http.Header, []byte, error) {
	u := in.srv.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, body, err
}

func jwksKeys(t testing.TB, in *instance) []PublicKey {
	t.Helper()
	code, _, body := fetch(t, in, "", PathJWKS, nil, nil)
	if code != http.StatusOK {
		t.Fatalf("jwks: %d", code)
	}
	keys, err := ParsePublicKeys(string(body))
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestFeedChanges(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	svcs, offices := he.seed(t, 3)
	// A mirrored record in HE's log must not be published by HE.
	err := he.st.Update(ctx, func(tx *catalog.Tx) error {
		s := newService("99090000000001", "Bayerische Leistung", "090000000000")
		s.ID, s.Origin, s.OriginRevision = "BY.LB.0000000001", "BY", 7
		return tx.Put(s, catalog.Write{Mirror: true, Actor: "peer:BY"})
	})
	if err != nil {
		t.Fatal(err)
	}
	he.del(t, catalog.KindOffice, offices[1].ID) // cascades to its responsibility
	token := he.token(t, "peer BY")
	keys := jwksKeys(t, he)

	t.Run("OK", func(t *testing.T) {
		var items []Item
		after := ""
		for i := 0; ; i++ {
			code, hdr, body := fetch(t, he, token, PathChanges, url.Values{"after": {after}, "limit": {"4"}}, nil)
			if code != http.StatusOK {
				t.Fatalf("status %d: %s", code, body)
			}
			if err := Verify(keys, hdr.Get(SignatureHeader), body); err != nil {
				t.Fatalf("page %d: %v", i, err)
			}
			page, err := DecodePage(body)
			if err != nil {
				t.Fatal(err)
			}
			if page.After != after {
				t.Errorf("after = %q, want %q", page.After, after)
			}
			if page.More != (hdr.Get("ETag") != "") {
				t.Errorf("page %d: more=%v but ETag %q", i, page.More, hdr.Get("ETag"))
			}
			items = append(items, page.Items...)
			after = page.Next
			if !page.More {
				if got, want := hdr.Get(HeaderHead), itoa(int(he.st.Revision())); got != want || page.Revision != he.st.Revision() {
					t.Errorf("last page: head %s, revision %d, want %s", got, page.Revision, want)
				}
				break
			}
		}
		var puts, dels int
		var lastRev uint64
		for _, it := range items {
			if it.Origin != "HE" {
				t.Errorf("published %s %s of origin %s", it.Kind, it.ID, it.Origin)
			}
			if it.Revision <= lastRev {
				t.Errorf("items out of log order at %d", it.Revision)
			}
			lastRev = it.Revision
			switch it.Op {
			case OpPut:
				puts++
				if _, err := decodeRecord(&it); err != nil {
					t.Error(err)
				}
				if strings.Contains(string(it.Record), `"by":"editor"`) {
					t.Errorf("record publishes its editor: %s", it.Record)
				}
			case OpDelete:
				dels++
				if it.Record != nil {
					t.Errorf("tombstone with a record")
				}
			}
		}
		// the regions + 3 services + 2 offices + 3 responsibilities; the
		// office delete cascades to the responsibility of services 1.
		if got, want := puts, len(regions)+3+2+3; got != want {
			t.Errorf("puts = %d, want %d", got, want)
		}
		if got, want := dels, 2; got != want {
			t.Errorf("tombstones = %d, want %d", got, want)
		}
		if items[len(items)-1].Op != OpDelete || items[len(items)-1].ID != offices[1].ID {
			t.Errorf("last item is %s %s, want the office's tombstone", items[len(items)-1].Op, items[len(items)-1].ID)
		}
		_ = svcs
	})

	t.Run("ETag", func(t *testing.T) {
		code, hdr, _ := fetch(t, he, token, PathChanges, url.Values{"limit": {"2"}}, nil)
		etag := hdr.Get("ETag")
		if code != http.StatusOK || etag == "" || strings.HasPrefix(etag, "W/") {
			t.Fatalf("full page: status %d, ETag %q", code, etag)
		}
		code, _, _ = fetch(t, he, token, PathChanges, url.Values{"limit": {"2"}}, map[string]string{"If-None-Match": etag})
		if code != http.StatusNotModified {
			t.Errorf("If-None-Match: status %d, want 304", code)
		}
	})

	t.Run("LongPoll", func(t *testing.T) {
		_, _, body := fetch(t, he, token, PathChanges, url.Values{"limit": {"1000"}}, nil)
		page, _ := DecodePage(body)
		// A service is written once the long poll has reached the feed;
		// the poll answers with it (whether the write came before the
		// feed read the log or while it waited).
		arrived := make(chan struct{})
		var once sync.Once
		he.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
			if r.URL.Query().Get("wait") != "" {
				once.Do(func() { close(arrived) })
			}
			next.ServeHTTP(w, r)
		})
		defer he.setHook(nil)
		type answer struct {
			body []byte
			err  error
		}
		polled := make(chan answer, 1)
		go func() {
			_, _, body, err := request(he, token, PathChanges, url.Values{"after": {page.Next}, "wait": {"30"}}, nil)
			polled <- answer{body, err}
		}()
		<-arrived
		late := newService(he.leika(), "Spät", "060000000000")
		he.put(t, late)
		a := <-polled
		if a.err != nil {
			t.Fatal(a.err)
		}
		page2, err := DecodePage(a.body)
		if err != nil {
			t.Fatal(err)
		}
		if len(page2.Items) != 1 || page2.Items[0].ID != late.ID {
			t.Fatalf("long poll: %d items, want the service written meanwhile (%s)", len(page2.Items), late.ID)
		}
		// Nothing new: the wait runs out and the page is empty, the cursor
		// where it was.
		_, _, body = fetch(t, he, token, PathChanges, url.Values{"after": {page2.Next}, "wait": {"1"}}, nil)
		page3, _ := DecodePage(body)
		if len(page3.Items) != 0 || page3.Next != page2.Next {
			t.Errorf("idle long poll: %d items, next moved %v; want none and the same cursor", len(page3.Items), page3.Next != page2.Next)
		}
	})

	editor, _, err := he.st.CreateEditor(ctx, nil, catalog.Editor{Name: "Landesredaktion", Role: catalog.AccessStateEditor})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, token string
		q           url.Values
		status      int
		code        string
	}{
		{"ErrUnauthenticated", "", nil, 401, catalog.EUNAUTHENTICATED},
		{"ErrUnknownToken", "lf_nope", nil, 401, catalog.EUNAUTHENTICATED},
		{"ErrForbidden", editor, nil, 403, catalog.EFORBIDDEN},
		{"ErrCursor", token, url.Values{"after": {"garbage"}}, 400, catalog.EINVALID},
		{"ErrLimit", token, url.Values{"limit": {"100000"}}, 400, catalog.EINVALID},
		{"ErrWait", token, url.Values{"wait": {"soon"}}, 400, catalog.EINVALID},
		{"ErrFutureCursor", token, url.Values{"after": {Cursor{Revision: 1 << 40, Mark: 1}.String()}}, 410, catalog.ENOTFOUND},
		{"ErrForeignCursor", token, url.Values{"after": {Cursor{Revision: 3, Mark: 12345}.String()}}, 410, catalog.ENOTFOUND},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, body := fetch(t, he, tc.token, PathChanges, tc.q, nil)
			var e errorBody
			json.Unmarshal(body, &e)
			if code != tc.status || e.Error.Code != tc.code {
				t.Errorf("got %d %s, want %d %s (%s)", code, e.Error.Code, tc.status, tc.code, body)
			}
		})
	}
}

// snapshotAll reads a whole snapshot: manifest and pages.
func snapshotAll(t testing.TB, in *instance, token string, limit int) (*Manifest, []Item) {
	t.Helper()
	keys := jwksKeys(t, in)
	code, hdr, body := fetch(t, in, token, PathSnapshot, nil, nil)
	if code != http.StatusOK {
		t.Fatalf("manifest: %d %s", code, body)
	}
	if err := Verify(keys, hdr.Get(SignatureHeader), body); err != nil {
		t.Fatal(err)
	}
	m, err := DecodeManifest(body)
	if err != nil {
		t.Fatal(err)
	}
	return m, snapshotPages(t, in, token, m, limit, nil)
}

func snapshotPages(t testing.TB, in *instance, token string, m *Manifest, limit int, between func()) []Item {
	t.Helper()
	keys := jwksKeys(t, in)
	var items []Item
	for next := m.First; next != ""; {
		code, hdr, body := fetch(t, in, token, PathSnapshot, url.Values{"page": {next}, "limit": {itoa(limit)}}, nil)
		if code != http.StatusOK {
			t.Fatalf("snapshot page: %d %s", code, body)
		}
		if err := Verify(keys, hdr.Get(SignatureHeader), body); err != nil {
			t.Fatal(err)
		}
		p, err := DecodeSnapshotPage(body)
		if err != nil {
			t.Fatal(err)
		}
		if p.Revision != m.Revision || p.Page != next {
			t.Fatalf("page at %d for %q, want %d for %q", p.Revision, p.Page, m.Revision, next)
		}
		items = append(items, p.Items...)
		next = p.Next
		if between != nil {
			between()
		}
	}
	return items
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func linesOf(items []Item) []string {
	var lines []string
	for _, it := range items {
		lines = append(lines, canonicalLine(it.Kind, it.ID, it.Revision))
	}
	return lines
}

// TestSnapshotConsistentAtOneRevision changes, deletes and creates records
// between the pages of a snapshot: the pages still give exactly the state
// at the manifest's revision.
func TestSnapshotConsistentAtOneRevision(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	svcs, offices := he.seed(t, 12)
	token := he.token(t, "peer BY")
	code, _, body := fetch(t, he, token, PathSnapshot, nil, nil)
	if code != http.StatusOK {
		t.Fatal(code)
	}
	m, _ := DecodeManifest(body)
	want := he.recordsOf(t, "HE")
	i := 0
	items := snapshotPages(t, he, token, m, 3, func() {
		i++
		switch i {
		case 1:
			s := svcs[5]
			s.Texts[catalog.ModuleName] = i18n.German("Geändert")
			he.put(t, s)
			he.del(t, catalog.KindService, svcs[9].ID)
		case 2:
			he.del(t, catalog.KindOffice, offices[0].ID) // and its responsibilities
			he.put(t, newService(he.leika(), "Neu", "060000000000"))
		case 3:
			s := svcs[0]
			s.Fees = nil
			he.put(t, s)
			he.put(t, s)
		}
	})
	if got := len(items); got != m.Count {
		t.Fatalf("%d items, manifest count %d", got, m.Count)
	}
	if got := CanonicalDigest(linesOf(items)); got != m.Digest {
		t.Errorf("digest %s, manifest %s", got, m.Digest)
	}
	got := map[string]recordInfo{}
	for _, it := range items {
		r, err := decodeRecord(&it)
		if err != nil {
			t.Fatal(err)
		}
		if it.Kind != catalog.KindRegion {
			got[string(it.Kind)+"\t"+it.ID] = recordInfo{fp: fingerprint(t, r), originRev: it.Revision}
		}
	}
	if d := diff(want, got); d != "" {
		t.Errorf("snapshot is not the state at revision %d: %s", m.Revision, d)
	}
	// After the writes, a new snapshot is consistent again.
	m2, items2 := snapshotAll(t, he, token, 1000)
	if len(items2) != m2.Count || CanonicalDigest(linesOf(items2)) != m2.Digest || m2.Revision <= m.Revision {
		t.Errorf("second snapshot: %d items, manifest %+v", len(items2), m2)
	}
}

func TestCompactGivesGone(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	he.feed.opt.Retention = 5
	he.seed(t, 6)
	token := he.token(t, "peer BY")
	_, _, body := fetch(t, he, token, PathChanges, url.Values{"limit": {"3"}}, nil)
	early, _ := DecodePage(body)
	n, err := he.feed.Compact(ctx)
	if err != nil || n == 0 {
		t.Fatalf("Compact: %d, %v", n, err)
	}
	for _, after := range []string{"", early.Next} {
		code, hdr, body := fetch(t, he, token, PathChanges, url.Values{"after": {after}}, nil)
		var e errorBody
		json.Unmarshal(body, &e)
		if code != http.StatusGone || e.Snapshot != PathSnapshot || !strings.Contains(hdr.Get("Link"), PathSnapshot) {
			t.Errorf("after %q: %d %s, Link %q", after, code, body, hdr.Get("Link"))
		}
	}
	// A snapshot taken now continues the feed without 410.
	m, items := snapshotAll(t, he, token, 4)
	if len(items) != m.Count {
		t.Errorf("%d items, count %d", len(items), m.Count)
	}
	code, _, _ := fetch(t, he, token, PathChanges, url.Values{"after": {m.Cursor}}, nil)
	if code != http.StatusOK {
		t.Errorf("feed after the snapshot's cursor: %d", code)
	}
	// Compacting past a snapshot's revision expires it.
	tok := m.First
	for i := 0; i < 10; i++ {
		he.put(t, newService(he.leika(), "Mehr", "060000000000"))
	}
	if _, err := he.feed.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	code, _, body = fetch(t, he, token, PathSnapshot, url.Values{"page": {tok}}, nil)
	if code != http.StatusGone {
		t.Errorf("expired snapshot page: %d %s", code, body)
	}
}
