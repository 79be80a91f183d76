package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"
)

//go:embed static
var static embed.FS

// CSP is the Content-Security-Policy of the portal and the console.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// GraphiQLCSP is the policy of the GraphiQL page: the same, except that
// GraphiQL's stylesheet carries its fonts as data: URLs. GraphiQL 3's UMD
// bundle needs neither 'unsafe-eval' nor inline styles (the browser test
// fails on any CSP violation).
const GraphiQLCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"font-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Page is one route of the pages: a pattern for http.ServeMux, a fixed
// name for metrics and logs, and its handler.
type Page struct {
	Pattern, Name string
	Handler       http.Handler
}

// Pages returns the routes to register: / (to /graphiql), /graphiql,
// /portal, /console and their assets under /static/.
func Pages() []Page {
	a := newAssets()
	return []Page{
		{"GET /{$}", "/", http.RedirectHandler("/graphiql", http.StatusFound)},
		{"GET /graphiql", "/graphiql", a.page("graphiql/index.html", GraphiQLCSP)},
		{"GET /portal", "/portal", a.page("portal/index.html", CSP)},
		{"GET /console", "/console", a.page("console/index.html", CSP)},
		{"GET /static/", "/static", a},
	}
}

// assets serves the embedded files with an ETag over their content and,
// for clients that take it, gzip made once on first use.
type assets struct {
	files map[string]*asset
}

type asset struct {
	body  []byte
	ctype string
	etag  string
	gzip  func() []byte
}

func newAssets() *assets {
	a := &assets{files: map[string]*asset{}}
	fs.WalkDir(static, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := static.ReadFile(p)
		if err != nil {
			return err
		}
		ctype := mime.TypeByExtension(path.Ext(p))
		switch {
		case strings.HasSuffix(p, ".js"):
			ctype = "text/javascript; charset=utf-8"
		case ctype == "":
			ctype = "text/plain; charset=utf-8"
		}
		sum := sha256.Sum256(body)
		a.files[strings.TrimPrefix(p, "static/")] = &asset{body: body, ctype: ctype,
			etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:15]) + `"`,
			gzip: sync.OnceValue(func() []byte { return gzipped(body) })}
		return nil
	})
	return a
}

func securityHeaders(h http.Header, csp string) {
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
}

// page serves one HTML file for a route and whatever query string it has:
// the pages keep their state (place, query, service, view) in the URL.
func (a *assets) page(name, csp string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		securityHeaders(w.Header(), csp)
		a.serve(w, r, a.files[name])
	})
}

// ServeHTTP serves /static/<file>.
func (a *assets) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f := a.files[strings.TrimPrefix(r.URL.Path, "/static/")]
	if f == nil || strings.HasSuffix(r.URL.Path, ".html") {
		http.NotFound(w, r)
		return
	}
	securityHeaders(w.Header(), CSP)
	a.serve(w, r, f)
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request, f *asset) {
	h := w.Header()
	h.Set("Content-Type", f.ctype)
	// The files change only with the binary: revalidate, then 304.
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", f.etag)
	h.Set("Vary", "Accept-Encoding")
	if r.Header.Get("If-None-Match") == f.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := f.body
	if len(body) > 1024 && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		body = f.gzip()
		h.Set("Content-Encoding", "gzip")
	}
	w.Write(body)
}

func gzipped(body []byte) []byte {
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	return b.Bytes()
}
