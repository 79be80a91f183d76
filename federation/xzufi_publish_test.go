package federation

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
)

func get(t *testing.T, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// TestXZuFiPublisher serves the export the way the gateway's collector
// pulls it: index.txt with ETag and Last-Modified, 304 on a conditional
// GET, each listed file; a shrunken export is refused and the published
// one stays until forced.
func TestXZuFiPublisher(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	svcs, _ := he.seed(t, 10)
	dir := filepath.Join(t.TempDir(), "xzufi")
	pub := xzufi.NewPublisher(he.st, dir, xzufi.ExportOptions{MaxObjects: 4}, nil)
	srv := httptest.NewServer(http.StripPrefix("/xzufi", pub.Handler()))
	defer srv.Close()

	if resp, _ := get(t, srv.URL+"/xzufi/index.txt"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("before the first export: %s, want 503", resp.Status)
	}
	if _, err := pub.Publish(ctx); err != nil {
		t.Fatal(err)
	}
	resp, index := get(t, srv.URL+"/xzufi/index.txt")
	etag, modified := resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	if resp.StatusCode != http.StatusOK || etag == "" || modified == "" {
		t.Fatalf("index: %s ETag %q Last-Modified %q", resp.Status, etag, modified)
	}
	files := strings.Fields(index)
	if len(files) != 3+1 { // 10 services in files of 4, one file of offices
		t.Errorf("index lists %d files: %v", len(files), files)
	}
	for _, f := range files {
		resp, body := get(t, srv.URL+"/xzufi/"+f)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `xzufiVersion="2.2.0"`) || !strings.Contains(body, "<code>") {
			t.Errorf("%s: %s", f, resp.Status)
		}
	}
	if resp, _ := get(t, srv.URL+"/xzufi/index.txt", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %s, want 304", resp.Status)
	}
	if resp, _ := get(t, srv.URL+"/xzufi/index.txt", "If-Modified-Since", modified); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %s, want 304", resp.Status)
	}
	if resp, _ := get(t, srv.URL+"/xzufi/../catalog.db"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a name outside the export: %s, want 404", resp.Status)
	}

	// Losing more than a fifth of the objects is refused.
	for _, s := range svcs[:6] {
		he.del(t, catalog.KindService, s.ID)
	}
	if _, err := pub.Publish(ctx); !errors.Is(err, xzufi.ErrShrunk) {
		t.Fatalf("publish after deleting 6 of 10 services: %v, want ErrShrunk", err)
	}
	if resp, again := get(t, srv.URL+"/xzufi/index.txt"); resp.Header.Get("ETag") != etag || again != index {
		t.Errorf("the refused export replaced the published index")
	}
	for _, f := range files {
		if resp, _ := get(t, srv.URL+"/xzufi/"+f); resp.StatusCode != http.StatusOK {
			t.Errorf("%s of the published export: %s", f, resp.Status)
		}
	}
	forced := xzufi.NewPublisher(he.st, dir, xzufi.ExportOptions{MaxObjects: 4, Force: true}, nil)
	m, err := forced.Publish(ctx)
	if err != nil || m.Counts.Services != 4 {
		t.Fatalf("forced publish: %v %+v", err, m)
	}
	if resp, _ := get(t, srv.URL+"/xzufi/index.txt", "If-None-Match", etag); resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == etag {
		t.Errorf("after the forced export the index is %s with the old ETag", resp.Status)
	}
}

// TestXZuFiPublisherOnDemand: Run exports nothing at start nor on a
// change alone; a request for index.txt asks for the export, the first
// request waits for it, and a change is exported once a request asks.
func TestXZuFiPublisherOnDemand(t *testing.T) {
	he := newInstance(t, "HE", "060000000000")
	he.seed(t, 3)
	dir := filepath.Join(t.TempDir(), "xzufi")
	pub := xzufi.NewPublisher(he.st, dir, xzufi.ExportOptions{}, nil)
	srv := httptest.NewServer(http.StripPrefix("/xzufi", pub.Handler()))
	defer srv.Close()
	runCtx, stop := context.WithCancel(ctx)
	var running sync.WaitGroup
	running.Go(func() { pub.Run(runCtx, 10*time.Millisecond) })
	defer running.Wait()
	defer stop()

	exported := func() *xzufi.Manifest {
		t.Helper()
		m, err := xzufi.ReadManifest(dir)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	// until polls index.txt until ok says its answer is the one awaited.
	until := func(what string, ok func(*http.Response) bool) *http.Response {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
			resp, _ := get(t, srv.URL+"/xzufi/index.txt")
			if ok(resp) {
				return resp
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: index.txt is %s", what, resp.Status)
			}
		}
	}

	time.Sleep(50 * time.Millisecond)
	if m := exported(); m != nil {
		t.Fatalf("exported at revision %d before anyone asked", m.Revision)
	}
	// The first request Run can take waits for the export.
	first := until("first export", func(r *http.Response) bool { return r.StatusCode != http.StatusServiceUnavailable })
	if first.StatusCode != http.StatusOK {
		t.Fatalf("first export: %s", first.Status)
	}
	if m := exported(); m == nil || m.Revision != he.st.Revision() {
		t.Fatalf("after the first request: export %+v, store at revision %d", m, he.st.Revision())
	}
	published := exported().Time

	he.put(t, newService(he.leika(), "Hundesteuer", "060000000000"))
	time.Sleep(50 * time.Millisecond)
	if m := exported(); m.Time != published {
		t.Fatalf("a change nobody asked for was exported (revision %d)", m.Revision)
	}
	etag := first.Header.Get("ETag")
	until("export after the change", func(r *http.Response) bool { return r.Header.Get("ETag") != etag })
	if m := exported(); m.Revision != he.st.Revision() || m.Counts.Services != 4 {
		t.Errorf("after the change: export at revision %d with %d services, store at %d", m.Revision, m.Counts.Services, he.st.Revision())
	}
	published = exported().Time
	get(t, srv.URL+"/xzufi/index.txt")
	time.Sleep(50 * time.Millisecond)
	if exported().Time != published {
		t.Errorf("exported again without a change")
	}
}
