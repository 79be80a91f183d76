package federation

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

var ctx = context.Background()

// instance is one portal started by a test: a real store, its feed on a
// real loopback server, and a hook to make the server misbehave.
type instance struct {
	portal string
	region string
	st     *catalog.Store
	key    ed25519.PrivateKey
	feed   *Feed
	srv    *httptest.Server

	mu   sync.Mutex
	hook func(w http.ResponseWriter, r *http.Request, next http.Handler)
	seq  int
}

// regions are seeded into every instance: each portal loads the official
// region list itself.
var regions = catalogtest.Regions()

// place is where an instance's offices are.
var place = map[string]string{"HE": catalogtest.Kassel, "BY": catalogtest.Muenchen, "BUND": catalogtest.Bund}

func newInstance(t testing.TB, portal, region string) *instance {
	t.Helper()
	st := catalogtest.Open(t, catalog.Options{Portal: portal})
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	in := &instance{portal: portal, region: region, st: st, key: key}
	in.feed = NewFeed(st, key, "", FeedOptions{MaxWait: 5 * time.Second})
	h := in.feed.Handler()
	in.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.mu.Lock()
		hook := in.hook
		in.mu.Unlock()
		if hook != nil {
			hook(w, r, h)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(in.srv.Close)
	t.Cleanup(in.feed.Close) // runs first: ends long polls so Close does not wait for them
	catalogtest.PutRegions(t, st)
	return in
}

func (in *instance) setHook(h func(w http.ResponseWriter, r *http.Request, next http.Handler)) {
	in.mu.Lock()
	in.hook = h
	in.mu.Unlock()
}

// token issues a peer token of this instance.
func (in *instance) token(t testing.TB, name string) string {
	t.Helper()
	tok, _, err := in.st.CreateEditor(ctx, nil, catalog.Editor{Name: name, Role: catalog.AccessPeer})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// peerFor is the configuration with which consumer c mirrors in.
func (in *instance) peerFor(t testing.TB, c *instance) Peer {
	return Peer{ID: in.portal, URL: in.srv.URL, Token: in.token(t, "peer "+c.portal),
		PublicKey: JWK(in.key.Public().(ed25519.PublicKey), in.kid()), RegionKey: in.region}
}

// kid is the ID of the instance's signing key, as its feed names it (the
// operator's `peer key` prints the same).
func (in *instance) kid() string {
	return KeyID(in.key.Public().(ed25519.PublicKey))
}

func (in *instance) put(t testing.TB, r catalog.Record) {
	t.Helper()
	if err := in.st.Update(ctx, func(tx *catalog.Tx) error { return tx.Put(r, catalog.Write{Actor: "editor"}) }); err != nil {
		t.Fatalf("%s: put %T: %v", in.portal, r, err)
	}
}

func (in *instance) del(t testing.TB, k catalog.Kind, id string) {
	t.Helper()
	if err := in.st.Update(ctx, func(tx *catalog.Tx) error { return tx.Delete(k, id, catalog.Write{Actor: "editor"}) }); err != nil {
		t.Fatalf("%s: delete %s %s: %v", in.portal, k, id, err)
	}
}

func (in *instance) leika() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.seq++
	n := map[string]int{"HE": 1, "BY": 2, "BUND": 3}[in.portal]
	return fmt.Sprintf("99%02d%010d", n, in.seq)
}

func newService(leika, name, region string) *catalog.Service {
	return &catalog.Service{
		Status:    catalog.StatusPublished,
		RegionKey: region,
		LeikaKeys: []string{leika},
		Texts: map[catalog.Module]i18n.Text{
			catalog.ModuleName:      i18n.Bilingual(name, name+" (en)"),
			catalog.ModuleShortText: i18n.German("<p>Kurztext zu " + name + ".</p>"),
		},
		Fees: []catalog.Fee{{Kind: catalog.FeeFixed, Amount: 1500}},
	}
}

func newOffice(name, ars string) *catalog.Office {
	return &catalog.Office{Name: i18n.German(name), Kind: catalog.OfficeMunicipality, RegionKey: ars,
		Channels: []catalog.Channel{{Kind: catalog.ChannelPhone, Value: "+49 561 7870"}}}
}

// seed writes services, offices and responsibilities of this portal.
func (in *instance) seed(t testing.TB, services int) (svcs []*catalog.Service, offices []*catalog.Office) {
	t.Helper()
	for i := 0; i < services; i++ {
		s := newService(in.leika(), fmt.Sprintf("%s Leistung %d", in.portal, i), in.region)
		in.put(t, s)
		svcs = append(svcs, s)
	}
	for i := 0; i < 2; i++ {
		o := newOffice(fmt.Sprintf("%s Amt %d", in.portal, i), place[in.portal])
		in.put(t, o)
		offices = append(offices, o)
	}
	for i, s := range svcs {
		in.put(t, &catalog.Responsibility{LeikaKey: s.LeikaKeys[0], RegionKey: place[in.portal],
			OfficeID: offices[i%2].ID, Role: catalog.RoleResponsible})
	}
	return svcs, offices
}

// fingerprint is a record's content without what the store stamps locally
// (revision, version, times, editor, text stamps), for comparing a record
// with its mirror.
func fingerprint(t testing.TB, r catalog.Record) string {
	t.Helper()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.Unmarshal(data, &m)
	for _, k := range []string{"rev", "orev", "ver", "created", "updated", "by", "reason"} {
		delete(m, k)
	}
	var strip func(v any)
	strip = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			delete(v, "at")
			delete(v, "src")
			for _, x := range v {
				strip(x)
			}
		case []any:
			for _, x := range v {
				strip(x)
			}
		}
	}
	strip(m)
	out, _ := json.Marshal(m)
	return string(out)
}

// recordsOf returns an instance's records of an origin (regions left out:
// they are shared reference data) by kind TAB id, with their fingerprint
// and the revision at the origin.
type recordInfo struct {
	fp        string
	originRev uint64
	version   int
}

func (in *instance) recordsOf(t testing.TB, origin string) map[string]recordInfo {
	t.Helper()
	out := map[string]recordInfo{}
	err := in.st.View(ctx, func(tx *catalog.Tx) error {
		for k, ids := range tx.RecordIDsOfOrigin(origin) {
			if k == catalog.KindRegion {
				continue
			}
			for _, id := range ids {
				r, err := tx.Get(k, id)
				if err != nil {
					return err
				}
				m := catalog.MetaOf(r)
				rev := m.OriginRevision
				if origin == in.portal {
					rev = m.Revision
				}
				out[string(k)+"\t"+id] = recordInfo{fp: fingerprint(t, r), originRev: rev, version: m.Version}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// diff says how a mirror differs from the origin's own records ("" if not).
func diff(origin, mirror map[string]recordInfo) string {
	var out []string
	for k, o := range origin {
		m, ok := mirror[k]
		switch {
		case !ok:
			out = append(out, "missing "+k)
		case m.originRev != o.originRev:
			out = append(out, fmt.Sprintf("%s at origin revision %d, want %d", k, m.originRev, o.originRev))
		case m.fp != o.fp:
			out = append(out, fmt.Sprintf("%s differs:\n  got  %s\n  want %s", k, m.fp, o.fp))
		}
	}
	for k := range mirror {
		if _, ok := origin[k]; !ok {
			out = append(out, "extra "+k)
		}
	}
	sort.Strings(out)
	if len(out) > 5 {
		out = append(out[:5], fmt.Sprintf("... %d more", len(out)-5))
	}
	return strings.Join(out, "; ")
}

// mirrors reports whether consumer c mirrors origin o exactly.
func mirrors(t testing.TB, c, o *instance) string {
	return diff(o.recordsOf(t, o.portal), c.recordsOf(t, o.portal))
}

// events is a broadcast a test waits on: notify wakes every waiter.
type events struct {
	mu sync.Mutex
	ch chan struct{}
}

// C returns a channel closed at the next notify.
func (e *events) C() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ch == nil {
		e.ch = make(chan struct{})
	}
	return e.ch
}

func (e *events) notify() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ch != nil {
		close(e.ch)
		e.ch = nil
	}
}

// eventually checks cond (a description of what is still missing, "" when
// it holds) now and after every event of wakes (a store's commit, a
// puller's status change) until it holds. No polling: cond can only change
// with one of the events. timeout guards against a hang; it is no timing
// assertion.
func eventually(t testing.TB, timeout time.Duration, cond func() string, wakes ...func() <-chan struct{}) {
	t.Helper()
	guard := time.NewTimer(timeout)
	defer guard.Stop()
	for {
		// The channels are taken before cond is checked, so no event
		// between the check and the wait is missed.
		cases := []reflect.SelectCase{{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(guard.C)}}
		for _, w := range wakes {
			cases = append(cases, reflect.SelectCase{Dir: reflect.SelectRecv, Chan: reflect.ValueOf(w())})
		}
		msg := cond()
		if msg == "" {
			return
		}
		if i, _, _ := reflect.Select(cases); i == 0 {
			t.Fatalf("not within %s: %s", timeout, msg)
		}
	}
}

// commits wakes eventually at every commit of the instances' stores.
func commits(ins ...*instance) []func() <-chan struct{} {
	var out []func() <-chan struct{}
	for _, in := range ins {
		out = append(out, in.st.Changed)
	}
	return out
}

// fastPuller options keep tests quick.
func fastOptions() PullerOptions {
	return PullerOptions{Wait: 2 * time.Second, RequestTimeout: 3 * time.Second, MinBackoff: 20 * time.Millisecond,
		MaxBackoff: 200 * time.Millisecond}
}

func newTestPuller(t testing.TB, c, o *instance, opt PullerOptions) *Puller {
	t.Helper()
	pe, err := AddPeer(ctx, c.st, o.peerFor(t, c))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPuller(c.st, pe.ID, opt)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// record captures the real feed's answer to r.
func record(next http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return rec
}

// replay writes a captured answer, with a replaced body and signature.
func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte, sig string) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("ETag")
	if sig == "" {
		w.Header().Del(SignatureHeader)
	} else {
		w.Header().Set(SignatureHeader, sig)
	}
	w.WriteHeader(rec.Code)
	w.Write(body)
}
