package xzufi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Publisher keeps an XZuFi export of the store current in a directory and
// serves it to the gateway's collector: GET {prefix}index.txt and every
// file it lists. Each export is written from one read transaction, with
// the index last, so a pull sees one revision; a pull that read the
// previous index still finds its files (Export keeps them).
type Publisher struct {
	st  *catalog.Store
	dir string
	opt ExportOptions
	log *slog.Logger

	mu      sync.Mutex
	last    *Manifest
	lastErr error
}

// NewPublisher returns a publisher writing into dir.
func NewPublisher(st *catalog.Store, dir string, opt ExportOptions, log *slog.Logger) *Publisher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Publisher{st: st, dir: dir, opt: opt, log: log}
	p.last, _ = ReadManifest(dir)
	return p
}

// Publish exports the store unless the published export already is at
// its revision. A shrunken export is refused (ErrShrunk) and the one
// published stays.
func (p *Publisher) Publish(ctx context.Context) (*Manifest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last != nil && p.last.Revision == p.st.Revision() && p.lastErr == nil {
		return p.last, nil
	}
	start := time.Now()
	m, err := Export(ctx, p.st, p.dir, p.opt)
	p.lastErr = err
	if err != nil {
		p.log.Error("xzufi export not published", "err", err)
		return nil, err
	}
	p.last = m
	p.log.Info("xzufi export published", "revision", m.Revision, "services", m.Counts.Services, "offices", m.Counts.Offices,
		"onlineServices", m.Counts.OnlineServices, "responsibilities", m.Counts.Responsibilities, "files", len(m.Files),
		"bytes", m.Bytes(), "leftOut", m.LeftOutCount, "took", time.Since(start))
	return m, nil
}

// LastError is why the latest export was not published (nil if it was).
func (p *Publisher) LastError() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lastErr
}

// Run publishes at once and then after changes, at most once per
// interval, until ctx ends.
func (p *Publisher) Run(ctx context.Context, interval time.Duration) {
	for {
		changed := p.st.Changed()
		p.Publish(ctx)
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

var fileNameRE = regexp.MustCompile(`^r[0-9]{12}(-[0-9a-f]{8})?-[a-z]+-[0-9]{4}\.xml$`)

// Handler serves the published export under the path the request has
// after its last "/": index.txt (ETag, Last-Modified, no-cache: the
// collector asks conditionally and gets 304 while nothing changed) and
// the files (immutable: their names carry the revision).
func (p *Publisher) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
		switch {
		case name == IndexFile:
			p.serveIndex(w, r)
		case fileNameRE.MatchString(name):
			f, err := os.Open(filepath.Join(p.dir, name))
			if err != nil {
				http.NotFound(w, r)
				return
			}
			defer f.Close()
			fi, err := f.Stat()
			if err != nil {
				http.Error(w, "internal error", http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/xml; charset=utf-8")
			w.Header().Set("ETag", `"`+name+`"`)
			w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
			http.ServeContent(w, r, name, fi.ModTime(), f)
		default:
			http.NotFound(w, r)
		}
	})
}

func (p *Publisher) serveIndex(w http.ResponseWriter, r *http.Request) {
	b, err := os.ReadFile(filepath.Join(p.dir, IndexFile))
	if errors.Is(err, os.ErrNotExist) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "no XZuFi export has been published yet", http.StatusServiceUnavailable)
		return
	}
	if err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	sum := sha256.Sum256(b)
	modified := time.Time{}
	if m, err := ReadManifest(p.dir); err == nil && m != nil {
		modified = m.Time
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("ETag", `"`+hex.EncodeToString(sum[:12])+`"`)
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, IndexFile, modified, bytes.NewReader(b))
}
