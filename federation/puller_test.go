package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/backoff"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// TestThreeInstancesConverge starts Hessen, Bavaria and the Bund, each
// mirroring the other two, writes on each and waits until every portal
// holds exactly the others' records.
func TestThreeInstancesConverge(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	bund := newInstance(t, "BUND", "000000000000")
	all := []*instance{he, by, bund}
	for _, c := range all {
		for _, o := range all {
			if c != o {
				if _, err := AddPeer(ctx, c.st, o.peerFor(t, c)); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	svcs := map[string][]*catalog.Service{}
	offices := map[string][]*catalog.Office{}
	for _, in := range all {
		svcs[in.portal], offices[in.portal] = in.seed(t, 4)
	}
	runCtx, stop := context.WithCancel(ctx)
	mirs := map[string]*Mirror{}
	var wg sync.WaitGroup
	var statuses events
	wakes := append(commits(all...), statuses.C)
	for _, in := range all {
		opt := fastOptions()
		opt.PageLimit = 5
		opt.OnStatus = func(Status) { statuses.notify() }
		m := NewMirror(in.st, opt)
		mirs[in.portal] = m
		wg.Go(func() { m.Run(runCtx) })
	}
	defer func() { stop(); wg.Wait() }()
	converged := func() string {
		for _, c := range all {
			for _, o := range all {
				if c != o {
					if d := mirrors(t, c, o); d != "" {
						return c.portal + " mirroring " + o.portal + ": " + d
					}
				}
			}
		}
		return ""
	}
	eventually(t, 10*time.Second, converged, wakes...)

	// Changes on each portal: an update, a delete that cascades, new records.
	for _, in := range all {
		s := svcs[in.portal][0]
		s.Texts[catalog.ModuleFullText] = i18n.Bilingual("<p>Neu in "+in.portal+".</p>", "<p>New.</p>")
		in.put(t, s)
		in.del(t, catalog.KindOffice, offices[in.portal][1].ID)
		in.del(t, catalog.KindService, svcs[in.portal][3].ID)
		in.seed(t, 2)
	}
	eventually(t, 10*time.Second, converged, wakes...)

	// The mirrored service of Bavaria is maintained for Bavaria, and read-only.
	err := he.st.View(ctx, func(tx *catalog.Tx) error {
		got, err := tx.Service(svcs["BY"][0].ID)
		if err != nil {
			return err
		}
		if got.Origin != "BY" || got.RegionKey != "090000000000" || got.OriginRevision != svcs["BY"][0].Revision {
			t.Errorf("mirrored service: origin %s, region %s, origin revision %d", got.Origin, got.RegionKey, got.OriginRevision)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := svcs["BY"][0]
	err = he.st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "editor"}) })
	if catalog.ErrorCode(err) != catalog.EFORBIDDEN {
		t.Errorf("editing a mirrored record: %v, want FORBIDDEN", err)
	}
	eventually(t, 5*time.Second, func() string {
		for _, in := range all {
			for _, st := range mirs[in.portal].Status() {
				if st.LagRevisions != 0 || st.LastSuccess.IsZero() {
					return fmt.Sprintf("%s <- %s: lag %d", in.portal, st.Peer, st.LagRevisions)
				}
			}
		}
		return ""
	}, wakes...)
	for _, in := range all {
		sts := mirs[in.portal].Status()
		if len(sts) != 2 {
			t.Fatalf("%s: %d statuses", in.portal, len(sts))
		}
		for _, st := range sts {
			if st.Quarantined != 0 || st.ConsecutiveErrors != 0 || st.Applied == 0 || st.Cursor == "" {
				t.Errorf("%s <- %s: %+v", in.portal, st.Peer, st)
			}
		}
	}
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(mirs["HE"]))
	err = testutil.GatherAndCompare(reg, strings.NewReader(`# HELP leistungsfinder_federation_lag_revisions Revisions the mirror is behind the peer.
# TYPE leistungsfinder_federation_lag_revisions gauge
leistungsfinder_federation_lag_revisions{peer="BY"} 0
leistungsfinder_federation_lag_revisions{peer="BUND"} 0
`), "leistungsfinder_federation_lag_revisions")
	if err != nil {
		t.Error(err)
	}
}

// TestPullerKilledMidPage cuts the connection in the middle of a page and
// cancels a puller while it waits for one; a new puller on the same store
// then finishes. Nothing is lost and nothing applied twice: every record
// was written once at the origin, so its mirror is at version 1 and the
// consumer's log has exactly one entry per record.
func TestPullerKilledMidPage(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	he.seed(t, 60)
	opt := fastOptions()
	opt.PageLimit = 25
	p := newTestPuller(t, by, he, opt)

	var requests atomic.Int32
	he.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := record(next, r)
		if requests.Add(1) == 3 {
			// Half a page, then the connection drops.
			body := rec.Body.Bytes()
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Length", itoa(len(body)))
			w.WriteHeader(rec.Code)
			w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		}
		replay(w, rec, rec.Body.Bytes(), rec.Header().Get(SignatureHeader))
	})
	err := p.Sync(ctx)
	if err == nil {
		t.Fatal("Sync survived a dropped connection")
	}
	if st := p.Status(); st.LastError == "" || st.ConsecutiveErrors != 1 {
		t.Errorf("status after the drop: %+v", st)
	}

	// A puller killed while its request hangs: the kill comes once the
	// request has reached the peer, and the peer sees it abandoned.
	release := make(chan struct{})
	hanging, abandoned := make(chan struct{}), make(chan struct{})
	var once sync.Once
	he.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		first := false
		once.Do(func() { first = true; close(hanging) })
		select {
		case <-release:
		case <-r.Context().Done():
			if first {
				close(abandoned)
			}
			return
		}
		next.ServeHTTP(w, r)
	})
	killCtx, kill := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- p.Run(killCtx) }()
	<-hanging
	kill()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	<-abandoned
	close(release)
	he.setHook(nil)

	// Restart: a new puller continues from the stored cursor.
	p2, err := NewPuller(by.st, "HE", opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := p2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if d := mirrors(t, by, he); d != "" {
		t.Fatal(d)
	}
	got := by.recordsOf(t, "HE")
	for k, r := range got {
		if r.version != 1 {
			t.Errorf("%s applied %d times", k, r.version)
		}
	}
	entries := 0
	err = by.st.View(ctx, func(tx *catalog.Tx) error {
		chs, err := tx.Changes(0, 100000)
		for _, ch := range chs {
			if ch.Origin == "HE" {
				entries++
			}
		}
		return err
	})
	if err != nil || entries != len(got) {
		t.Errorf("%d log entries for %d mirrored records (%v)", entries, len(got), err)
	}
	// Idempotent: a second Sync applies nothing.
	before := by.st.Revision()
	if err := p2.Sync(ctx); err != nil || by.st.Revision() != before {
		t.Errorf("second Sync: %v, revision %d -> %d", err, before, by.st.Revision())
	}
}

// TestResyncAfterCompaction lets the consumer fall behind the publisher's
// retained log: it gets 410, resyncs from the snapshot (deleting what the
// publisher deleted meanwhile) and follows the feed again.
func TestResyncAfterCompaction(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	svcs, offices := he.seed(t, 10)
	p := newTestPuller(t, by, he, fastOptions())
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	changeAndCompact(t, he, svcs, offices)
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if d := mirrors(t, by, he); d != "" {
		t.Fatal(d)
	}
	st := p.Status()
	if st.Resyncs != 1 || st.LastResync.IsZero() || st.LagRevisions != 0 {
		t.Errorf("status: %+v", st)
	}
	// The feed continues from the snapshot's revision.
	he.put(t, newService(he.leika(), "Nach dem Resync", "060000000000"))
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if d := mirrors(t, by, he); d != "" {
		t.Fatal(d)
	}
	if p.Status().Resyncs != 1 {
		t.Errorf("resynced again")
	}
}

// changeAndCompact changes, deletes and adds records of the publisher (of
// seed(t, 10)) and compacts its log, so that a consumer that synced
// before must resync from the snapshot.
func changeAndCompact(t *testing.T, he *instance, svcs []*catalog.Service, offices []*catalog.Office) {
	t.Helper()
	for _, s := range svcs[:3] {
		s.Texts[catalog.ModuleName] = i18n.German(s.Texts[catalog.ModuleName].String() + " (neu)")
		he.put(t, s)
	}
	he.del(t, catalog.KindService, svcs[9].ID)
	he.del(t, catalog.KindOffice, offices[1].ID)
	he.seed(t, 3)
	he.feed.opt.Retention = 2
	if _, err := he.feed.Compact(ctx); err != nil {
		t.Fatal(err)
	}
}

// tamper returns a hook that lets the real feed answer and rewrites the
// answer of requests that match.
func tamper(match func(*http.Request) bool, rewrite func(body []byte, sig string) ([]byte, string)) func(http.ResponseWriter, *http.Request, http.Handler) {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		rec := record(next, r)
		body, sig := rec.Body.Bytes(), rec.Header().Get(SignatureHeader)
		if match(r) && rec.Code == http.StatusOK {
			body, sig = rewrite(body, sig)
		}
		replay(w, rec, body, sig)
	}
}

func isChanges(r *http.Request) bool { return r.URL.Path == PathChanges }
func isSnapPage(r *http.Request) bool {
	return r.URL.Path == PathSnapshot && r.URL.Query().Get("page") != ""
}
func isManifest(r *http.Request) bool {
	return r.URL.Path == PathSnapshot && r.URL.Query().Get("page") == ""
}

// TestMisbehavingPeer makes the publisher slow, failing, garbled, truncated,
// badly signed, unsigned or shrunken: the consumer applies nothing of it,
// loses and deletes nothing, says what happened, and recovers once the
// publisher behaves.
func TestMisbehavingPeer(t *testing.T) {
	resign := func(in *instance, f func([]byte) []byte) func([]byte, string) ([]byte, string) {
		return func(body []byte, _ string) ([]byte, string) {
			b := f(body)
			return b, Sign(in.key, in.kid(), b)
		}
	}
	type setup struct{ he, by *instance }
	cases := []struct {
		name    string
		resync  bool // the fault hits the snapshot after a 410
		hook    func(s setup) func(http.ResponseWriter, *http.Request, http.Handler)
		wantErr string
	}{
		{"Slow", false, func(setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				select {
				case <-time.After(2 * time.Second):
				case <-r.Context().Done():
				}
			}
		}, "deadline exceeded"},
		{"500", false, func(setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				http.Error(w, "boom", http.StatusInternalServerError)
			}
		}, "500 Internal Server Error"},
		{"Garbage", false, func(s setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			return tamper(isChanges, resign(s.he, func([]byte) []byte { return []byte("<html>proxy error</html>") }))
		}, "malformed page"},
		{"TruncatedUnsignedJSON", false, func(setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			return tamper(isChanges, func(b []byte, sig string) ([]byte, string) { return b[:len(b)*2/3], sig })
		}, "bad signature"},
		{"TruncatedSignedJSON", false, func(s setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			return tamper(isChanges, resign(s.he, func(b []byte) []byte { return b[:len(b)*2/3] }))
		}, "malformed page"},
		{"BadSignature", false, func(setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			return tamper(isChanges, func(b []byte, sig string) ([]byte, string) {
				return bytes.Replace(b, []byte("Leistung"), []byte("Leistunk"), 1), sig
			})
		}, "does not verify"},
		{"Unsigned", false, func(setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			return tamper(isChanges, func(b []byte, _ string) ([]byte, string) { return b, "" })
		}, "not signed"},
		{"ForeignKey", false, func(setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			other := newKey()
			return tamper(isChanges, func(b []byte, _ string) ([]byte, string) { return b, Sign(other, "other", b) })
		}, "unknown key id"},
		{"SnapshotPageDropped", true, func(setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			var n atomic.Int32
			return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				rec := record(next, r)
				body, sig := rec.Body.Bytes(), rec.Header().Get(SignatureHeader)
				if isSnapPage(r) {
					if n.Add(1) == 2 {
						// Skip this page: answer with the next one's
						// content under this token, signed by nobody.
						var p SnapshotPage
						json.Unmarshal(body, &p)
						p.Items = p.Items[:0]
						body, _ = json.Marshal(p)
						sig = ""
					}
				}
				replay(w, rec, body, sig)
			}
		}, "not signed"},
		{"SnapshotShort", true, func(s setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			// Signed pages that leave out records: the manifest's count
			// and digest catch it.
			return tamper(isSnapPage, resign(s.he, func(b []byte) []byte {
				var p SnapshotPage
				json.Unmarshal(b, &p)
				if len(p.Items) > 2 {
					p.Items = p.Items[:len(p.Items)-2]
				}
				out, _ := json.Marshal(p)
				return out
			}))
		}, "manifest says"},
		{"SnapshotShrunken", true, func(s setup) func(http.ResponseWriter, *http.Request, http.Handler) {
			// A publisher that lost most of its data: a consistent, signed
			// snapshot with only its regions. The shrink guard refuses it.
			shrink := func(b []byte) []byte {
				var p SnapshotPage
				json.Unmarshal(b, &p)
				var keep []Item
				for _, it := range p.Items {
					if it.Kind == catalog.KindRegion {
						keep = append(keep, it)
					}
				}
				p.Items = append([]Item{}, keep...)
				out, _ := json.Marshal(p)
				return out
			}
			return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
				rec := record(next, r)
				body := rec.Body.Bytes()
				switch {
				case isSnapPage(r):
					body = shrink(body)
				case isManifest(r):
					// Recount the manifest over what the pages now give.
					var m Manifest
					json.Unmarshal(body, &m)
					var lines []string
					for _, rg := range regions {
						var rev uint64
						s.he.st.View(ctx, func(tx *catalog.Tx) error {
							reg, _ := tx.Region(rg.ID)
							rev = reg.Revision
							return nil
						})
						lines = append(lines, canonicalLine(catalog.KindRegion, rg.ID, rev))
					}
					m.Count, m.Digest = len(lines), CanonicalDigest(lines)
					body, _ = json.Marshal(m)
				}
				replay(w, rec, body, Sign(s.he.key, s.he.kid(), body))
			}
		}, "would delete"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			he := newInstance(t, "HE", "060000000000")
			by := newInstance(t, "BY", "090000000000")
			he.seed(t, 8)
			opt := fastOptions()
			opt.RequestTimeout = 500 * time.Millisecond
			opt.PageLimit = 6
			p := newTestPuller(t, by, he, opt)
			if err := p.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			// More changes the consumer has not seen; for the snapshot
			// cases the log is compacted so that it has to resync.
			svcs, _ := he.seed(t, 3)
			he.del(t, catalog.KindService, svcs[0].ID)
			if tc.resync {
				he.feed.opt.Retention = 1
				if _, err := he.feed.Compact(ctx); err != nil {
					t.Fatal(err)
				}
			}
			before := by.recordsOf(t, "HE")
			revBefore := by.st.Revision()
			he.setHook(tc.hook(setup{he, by}))
			err := p.Sync(ctx)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Sync: %v, want an error with %q", err, tc.wantErr)
			}
			st := p.Status()
			if !strings.Contains(st.LastError, tc.wantErr) || st.ConsecutiveErrors == 0 || st.LastErrorAt.IsZero() {
				t.Errorf("status does not say what happened: %+v", st)
			}
			if d := diff(before, by.recordsOf(t, "HE")); d != "" {
				t.Errorf("the consumer changed on a faulty answer: %s", d)
			}
			// Staging lives in the federation space, not in the log: a
			// refused answer leaves the consumer's log untouched.
			if by.st.Revision() != revBefore {
				t.Errorf("log moved from %d to %d on a refused answer", revBefore, by.st.Revision())
			}
			// Once the publisher behaves, the consumer catches up.
			he.setHook(nil)
			if err := p.Sync(ctx); err != nil {
				t.Fatal(err)
			}
			if d := mirrors(t, by, he); d != "" {
				t.Fatal(d)
			}
			if st := p.Status(); st.ConsecutiveErrors != 0 || st.LastSuccess.IsZero() {
				t.Errorf("status after recovery: %+v", st)
			}
		})
	}
}

func newKey() ed25519.PrivateKey {
	_, k, _ := ed25519.GenerateKey(rand.Reader)
	return k
}

// TestQuarantine feeds records that cannot be applied: they are
// quarantined with the reason, the rest of the page is applied, and a later
// good version releases them.
func TestQuarantine(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	svcs, offices := he.seed(t, 3)
	p := newTestPuller(t, by, he, fastOptions())
	he.setHook(tamper(isChanges, func(b []byte, _ string) ([]byte, string) {
		var pg Page
		json.Unmarshal(b, &pg)
		for i := range pg.Items {
			it := &pg.Items[i]
			switch it.ID {
			case svcs[0].ID: // invalid content
				it.Record = bytes.Replace(it.Record, []byte(`"status":"PUBLISHED"`), []byte(`"status":"BOGUS"`), 1)
			case svcs[1].ID: // not a record of its kind
				it.Record = json.RawMessage(`[1,2,3]`)
			case offices[0].ID: // a record of somebody else
				it.Origin = "NW"
			}
		}
		pg.Items = append(pg.Items, Item{Op: "patch", Kind: catalog.KindService, ID: "HE.LB.9", Origin: "HE", Revision: 1})
		out, _ := json.Marshal(pg)
		return out, Sign(he.key, he.kid(), out)
	}))
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	qs, err := Quarantine(ctx, by.st, "HE")
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]string{}
	retry := 0
	for _, q := range qs {
		reasons[q.ID] = q.Reason
		if q.Retry && q.Kind == catalog.KindResponsibility && q.Rule == "exists" {
			retry++
		}
	}
	if retry != 2 {
		t.Errorf("%d responsibilities wait for their office, want 2", retry)
	}
	for id, want := range map[string]string{svcs[0].ID: "status", svcs[1].ID: "does not decode", offices[0].ID: "origin", "HE.LB.9": "unknown op"} {
		if !strings.Contains(reasons[id], want) {
			t.Errorf("%s: reason %q, want %q", id, reasons[id], want)
		}
	}
	st := p.Status()
	if st.Quarantined != 6 {
		t.Errorf("quarantined = %d, want 6", st.Quarantined)
	}
	// The rest arrived; the responsibilities of office 0 wait in
	// quarantine for their office.
	err = by.st.View(ctx, func(tx *catalog.Tx) error {
		if _, err := tx.Service(svcs[2].ID); err != nil {
			t.Errorf("good service: %v", err)
		}
		if _, err := tx.Office(offices[1].ID); err != nil {
			t.Errorf("good office: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	he.setHook(nil)
	// New versions of the quarantined records arrive intact.
	for _, s := range svcs[:2] {
		he.put(t, s)
	}
	he.put(t, offices[0])
	if err := p.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if d := mirrors(t, by, he); d != "" {
		t.Fatal(d)
	}
	if st := p.Status(); st.Quarantined != 1 { // the bogus "patch" stays
		qs, _ := Quarantine(ctx, by.st, "HE")
		t.Errorf("quarantined = %d, want 1: %+v", st.Quarantined, qs)
	}
}

func TestPeers(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	good := he.peerFor(t, by)
	for _, tc := range []struct {
		name  string
		edit  func(*Peer)
		field string
	}{
		{"ErrID", func(p *Peer) { p.ID = "B Y" }, "id"},
		{"ErrSelf", func(p *Peer) { p.ID = "BY" }, "id"},
		{"ErrURL", func(p *Peer) { p.URL = "ftp://x" }, "url"},
		{"ErrToken", func(p *Peer) { p.Token = "" }, "token"},
		{"ErrKey", func(p *Peer) { p.PublicKey = "not a key" }, "publicKey"},
		{"ErrRegion", func(p *Peer) { p.RegionKey = "06" }, "regionKey"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := good
			tc.edit(&p)
			_, err := AddPeer(ctx, by.st, p)
			var e *catalog.Error
			if !errors.As(err, &e) || e.Code != catalog.EINVALID || e.Field != tc.field {
				t.Errorf("got %v, want INVALID on %s", err, tc.field)
			}
		})
	}
	t.Run("OK", func(t *testing.T) {
		good.URL += "/"
		if _, err := AddPeer(ctx, by.st, good); err != nil {
			t.Fatal(err)
		}
		peers, err := Peers(ctx, by.st)
		if err != nil || len(peers) != 1 || peers[0].URL != he.srv.URL {
			t.Fatalf("Peers: %+v, %v", peers, err)
		}
		he.seed(t, 2)
		p, _ := NewPuller(by.st, "HE", fastOptions())
		if err := p.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(by.recordsOf(t, "HE")); n == 0 {
			t.Fatal("nothing mirrored")
		}
		if err := RemovePeer(ctx, by.st, "HE", true); err != nil {
			t.Fatal(err)
		}
		if n := len(by.recordsOf(t, "HE")); n != 0 {
			t.Errorf("%d records left after purge", n)
		}
		// A puller still running for the removed peer writes nothing.
		rev := by.st.Revision()
		if err := p.Sync(ctx); catalog.ErrorCode(err) != catalog.ENOTFOUND || by.st.Revision() != rev {
			t.Errorf("Sync after removal: %v, revision %d -> %d", err, rev, by.st.Revision())
		}
		if err := RemovePeer(ctx, by.st, "HE", false); catalog.ErrorCode(err) != catalog.ENOTFOUND {
			t.Errorf("second remove: %v", err)
		}
	})
}

// TestRunBacksOff runs a puller against a publisher that fails for a
// while: it retries with growing, jittered waits, says so in its status,
// and catches up once the publisher answers again.
func TestRunBacksOff(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	he.seed(t, 3)
	var calls atomic.Int32
	he.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		calls.Add(1)
		http.Error(w, "down", http.StatusServiceUnavailable)
	})
	opt := fastOptions()
	opt.MinBackoff, opt.MaxBackoff = 20*time.Millisecond, 80*time.Millisecond
	var statuses events
	opt.OnStatus = func(Status) { statuses.notify() }
	p := newTestPuller(t, by, he, opt)
	if got, want := p.backoff(), (backoff.Policy{Min: opt.MinBackoff, Max: opt.MaxBackoff}); got != want {
		t.Errorf("backoff = %+v, want %+v (the options' bounds)", got, want)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- p.Run(runCtx) }()
	eventually(t, 5*time.Second, func() string {
		if st := p.Status(); st.ConsecutiveErrors < 3 || !strings.Contains(st.LastError, "503") {
			return fmt.Sprintf("status %+v", st)
		}
		return ""
	}, statuses.C)
	he.setHook(nil)
	eventually(t, 5*time.Second, func() string { return mirrors(t, by, he) }, by.st.Changed)
	eventually(t, 5*time.Second, func() string {
		if st := p.Status(); st.ConsecutiveErrors != 0 || st.State != StateFollowing {
			return fmt.Sprintf("status %+v", st)
		}
		return ""
	}, statuses.C)
	stop()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Run: %v", err)
	}
	if st := p.Status(); st.State != StateStopped || st.Errors < 3 {
		t.Errorf("status after stop: %+v", st)
	}
}

// TestCursorMovedFetchesAgain: two pullers of the same peer on one store
// (the server's and an operator's `peer sync`). While the first one's
// request is on its way, the second applies everything; the first then
// finds the stored cursor moved, fetches again from there and succeeds,
// with no error counted and nothing applied twice.
func TestCursorMovedFetchesAgain(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	by := newInstance(t, "BY", "090000000000")
	he.seed(t, 3)
	p1 := newTestPuller(t, by, he, fastOptions())
	p2, err := NewPuller(by.st, "HE", fastOptions())
	if err != nil {
		t.Fatal(err)
	}
	var first atomic.Bool
	var p2err error
	he.setHook(func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.URL.Path == PathChanges && first.CompareAndSwap(false, true) {
			p2err = p2.Sync(r.Context()) // before p1's request is answered
		}
		next.ServeHTTP(w, r)
	})
	if err := p1.Sync(ctx); err != nil {
		t.Fatalf("Sync with a cursor moved meanwhile: %v (code %s)", err, catalog.ErrorCode(err))
	}
	if p2err != nil {
		t.Fatalf("the other puller: %v", p2err)
	}
	if st := p1.Status(); st.Errors != 0 {
		t.Errorf("status: %+v, want no errors", st)
	}
	if d := mirrors(t, by, he); d != "" {
		t.Fatal(d)
	}
	for k, r := range by.recordsOf(t, "HE") {
		if r.version != 1 {
			t.Errorf("%s applied %d times", k, r.version)
		}
	}
}
