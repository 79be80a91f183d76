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
	"sync/atomic"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Publisher keeps an XZuFi export of the store in a directory and serves
// it to the gateway's collector: GET {prefix}index.txt and every file it
// lists. Each export is written from one read transaction, with the index
// last, so a pull sees one revision; a pull that read the previous index
// still finds its files (Export keeps them).
//
// An export is made when it is asked for (Run), never at start or on a
// change alone: one export reads the whole store, gigabytes at 20 000
// services, and competes with the API while it runs.
type Publisher struct {
	st  *catalog.Store
	dir string
	opt ExportOptions
	log *slog.Logger

	mu      sync.Mutex // held through an export
	last    *Manifest
	lastErr error

	// tried is 1 + the store revision of the latest export attempt (0:
	// none); a request for index.txt asks Run for an export when the
	// store has moved past it.
	tried   atomic.Uint64
	running atomic.Bool   // Run takes requests' asks
	asked   chan struct{} // an export is asked for (buffered: one pending ask)
	doneMu  sync.Mutex
	done    chan struct{} // closed when the next export attempt ends
}

// firstExportWait is how long a request for index.txt waits for the first
// export before it is answered 503 (with Retry-After): well inside the
// server's write timeout; the export goes on and serves the next request.
const firstExportWait = 20 * time.Second

// NewPublisher returns a publisher writing into dir.
func NewPublisher(st *catalog.Store, dir string, opt ExportOptions, log *slog.Logger) *Publisher {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	p := &Publisher{st: st, dir: dir, opt: opt, log: log, asked: make(chan struct{}, 1), done: make(chan struct{})}
	p.last, _ = ReadManifest(dir)
	if p.last != nil {
		p.tried.Store(p.last.Revision + 1)
	}
	return p
}

// Publish exports the store unless the published export already is at
// its revision. A shrunken export is refused (ErrShrunk) and the one
// published stays.
func (p *Publisher) Publish(ctx context.Context) (*Manifest, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rev := p.st.Revision()
	defer p.attempted(rev)
	if p.last != nil && p.last.Revision == rev && p.lastErr == nil {
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

// attempted records an export attempt at rev and wakes the requests
// waiting for it.
func (p *Publisher) attempted(rev uint64) {
	p.tried.Store(rev + 1)
	p.doneMu.Lock()
	close(p.done)
	p.done = make(chan struct{})
	p.doneMu.Unlock()
}

// Run exports the store when a request for index.txt finds the store
// changed since the latest export (or nothing exported yet), at most once
// per interval, until ctx ends.
func (p *Publisher) Run(ctx context.Context, interval time.Duration) {
	p.running.Store(true)
	defer p.running.Store(false)
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.asked:
		}
		p.Publish(ctx)
		t := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// ask asks Run for an export when the store moved past the latest export
// attempt. It returns a channel closed when the next attempt ends, nil
// when none is coming (nothing changed, or Run is not running).
func (p *Publisher) ask() <-chan struct{} {
	if !p.running.Load() || p.tried.Load() == p.st.Revision()+1 {
		return nil
	}
	p.doneMu.Lock()
	done := p.done
	p.doneMu.Unlock()
	select {
	case p.asked <- struct{}{}:
	default: // an ask is pending already
	}
	return done
}

var fileNameRE = regexp.MustCompile(`^r[0-9]{12}(-[0-9a-f]{8})?-[a-z]+-[0-9]{4}\.xml$`)

// Handler serves the published export under the path the request has
// after its last "/": index.txt (ETag, Last-Modified, no-cache: the
// collector asks conditionally and gets 304 while nothing changed) and
// the files (immutable: their names carry the revision). A request for
// index.txt asks Run for an export when the store changed since the
// latest one; it is answered from the published export, and waits only
// for the first.
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
	done := p.ask()
	b, err := os.ReadFile(filepath.Join(p.dir, IndexFile))
	if errors.Is(err, os.ErrNotExist) && done != nil {
		// The first export is on its way: wait a little for it.
		t := time.NewTimer(firstExportWait)
		select {
		case <-done:
		case <-t.C:
		case <-r.Context().Done():
		}
		t.Stop()
		b, err = os.ReadFile(filepath.Join(p.dir, IndexFile))
	}
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
