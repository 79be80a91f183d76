package web_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/graph/web"
)

func pagesServer(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	for _, p := range web.Pages() {
		mux.Handle(p.Pattern, p.Handler)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestPagesHeaders: every page and asset comes with the strict policy, no
// inline script or eval allowed, and only from this origin.
func TestPagesHeaders(t *testing.T) {
	srv := pagesServer(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/graphiql" {
		t.Errorf("/ answers %d to %q, want a redirect to /graphiql", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, tc := range []struct{ path, ctype, contains string }{
		{"/graphiql", "text/html", "graphiql.min.js"},
		{"/portal?ars=066360003003&q=perso", "text/html", "/static/portal/portal.js"},
		{"/console?view=offices", "text/html", "/static/console/console.js"},
		{"/static/console/console.js", "text/javascript", "sessionStorage"},
		{"/static/common/style.css", "text/css", ":focus-visible"},
		{"/static/vendor/LICENSE.graphiql", "text/plain", "MIT"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) {
				t.Fatalf("status %d, Content-Type %q; want 200 %s", resp.StatusCode, resp.Header.Get("Content-Type"), tc.ctype)
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Errorf("body lacks %q", tc.contains)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'none'", "script-src 'self';", "connect-src 'self'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("CSP %q lacks %q", csp, want)
				}
			}
			for _, bad := range []string{"unsafe-eval", "unsafe-inline", "http:", "https:", "*"} {
				if strings.Contains(csp, bad) {
					t.Errorf("CSP %q allows %q", csp, bad)
				}
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Referrer-Policy") != "no-referrer" {
				t.Errorf("missing nosniff or no-referrer: %v", resp.Header)
			}
		})
	}
	for _, path := range []string{"/static/nothing.js", "/static/portal/index.html", "/static/../web.go"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s answers %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestAssetsCaching: assets revalidate by ETag (304) and come gzipped to
// clients that take it, unchanged after unzipping.
func TestAssetsCaching(t *testing.T) {
	srv := pagesServer(t)
	get := func(h http.Header) (*http.Response, []byte) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/static/vendor/graphiql.min.js", nil)
		req.Header = h
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	plain, body := get(http.Header{})
	etag := plain.Header.Get("ETag")
	if plain.StatusCode != http.StatusOK || etag == "" || len(body) < 1<<20 {
		t.Fatalf("status %d, ETag %q, %d bytes", plain.StatusCode, etag, len(body))
	}
	if resp, _ := get(http.Header{"If-None-Match": {etag}}); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match answers %d, want 304", resp.StatusCode)
	}
	zipped, zbody := get(http.Header{"Accept-Encoding": {"gzip"}})
	if zipped.Header.Get("Content-Encoding") != "gzip" || len(zbody) >= len(body)/2 {
		t.Fatalf("gzip: Content-Encoding %q, %d of %d bytes", zipped.Header.Get("Content-Encoding"), len(zbody), len(body))
	}
	zr, err := gzip.NewReader(strings.NewReader(string(zbody)))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if string(unzipped) != string(body) {
		t.Error("the gzipped asset differs from the plain one")
	}
}
