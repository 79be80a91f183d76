package federation

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

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
