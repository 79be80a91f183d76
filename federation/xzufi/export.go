package xzufi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// IndexFile lists the files of an export, one relative name per line; it
// is written last. ManifestFile records what the export holds (not listed
// in the index: it is ours, not the gateway's).
const (
	IndexFile    = "index.txt"
	ManifestFile = "export.json"
)

// ExportOptions configure Export.
type ExportOptions struct {
	// Agency is the schemeAgencyID of the IDs written (the portal's ID if
	// empty).
	Agency string
	// MaxObjects is the most objects (schreibe elements) per file (1000
	// if 0); MaxBytes starts a new file once a file has grown past it (32
	// MiB if 0), so that an office with many responsibilities cannot make
	// a file unbounded.
	MaxObjects int
	MaxBytes   int64
	// MaxShrink is the largest share of objects and responsibilities the
	// export may drop compared with the one published before in the same
	// directory (0.2 if 0; 1 allows any). The gateway deletes what a
	// complete export lacks, so a catalogue that lost data must not empty
	// the gateway's: a larger drop fails with ErrShrunk and leaves the
	// published export in place. Force publishes anyway.
	MaxShrink float64
	Force     bool
	// Progress, if set, is called now and then with the objects written.
	Progress func(objects int)
	// Now is the clock for the message header (time.Now if nil).
	Now func() time.Time
}

// Counts are what an export holds.
type Counts struct {
	Services         int `json:"services"`
	Offices          int `json:"offices"`
	OnlineServices   int `json:"onlineServices"`
	Specialisations  int `json:"specialisations"`
	Responsibilities int `json:"responsibilities"`
}

// Objects is the number of schreibe elements.
func (c Counts) Objects() int { return c.Services + c.Offices + c.OnlineServices + c.Specialisations }

// Total counts objects and the responsibilities nested in them: what the
// gateway would delete if it were missing.
func (c Counts) Total() int { return c.Objects() + c.Responsibilities }

// File is one file of an export.
type File struct {
	Name    string `json:"name"`
	Objects int    `json:"objects"`
	Bytes   int64  `json:"bytes"`
}

// Manifest describes a published export.
type Manifest struct {
	Portal   string    `json:"portal"`
	Revision uint64    `json:"revision"`
	Time     time.Time `json:"time"`
	Counts   Counts    `json:"counts"`
	Files    []File    `json:"files"`
	// Left out lists what could not be written (at most 100 entries), for
	// example a responsibility for a LeiKa key that no service has.
	LeftOut []string `json:"leftOut,omitempty"`
	// LeftOutCount is how many records were left out in all.
	LeftOutCount int `json:"leftOutCount,omitempty"`
}

// Bytes is the size of all files.
func (m *Manifest) Bytes() int64 {
	var n int64
	for _, f := range m.Files {
		n += f.Bytes
	}
	return n
}

// ErrShrunk is returned when an export would drop more than MaxShrink of
// the objects of the export published before.
var ErrShrunk = errors.New("export shrunk")

// ReadManifest reads the manifest of the export published in dir; nil and
// no error when there is none.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	return &m, nil
}

// Export writes the catalogue's own published records as XZuFi 2.2.0
// transfer documents into dir, from one consistent read transaction:
// services (leistung), offices with their responsibilities
// (organisationseinheit with zustaendigkeit), online services with theirs
// (onlinedienst) and published local additions (spezialisierung), each kind
// in ID order and in files of bounded size, then the manifest and, last,
// index.txt (through a rename, so a reader sees the old index or the new
// one). File names carry the revision, so a consumer reading the previous
// index while a new export is written still finds its files; files of
// exports before the previous one are removed.
//
// Records mirrored from peers are not exported: every portal publishes
// its own. Drafts and archived services, and additions not yet approved,
// are not published either.
func Export(ctx context.Context, st *catalog.Store, dir string, opt ExportOptions) (*Manifest, error) {
	if opt.MaxObjects <= 0 {
		opt.MaxObjects = 1000
	}
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 32 << 20
	}
	if opt.MaxShrink <= 0 {
		opt.MaxShrink = 0.2
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Agency == "" {
		opt.Agency = st.Portal()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	prev, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	var m *Manifest
	err = st.View(ctx, func(tx *catalog.Tx) error {
		e := &exporter{ctx: ctx, tx: tx, dir: dir, opt: opt, portal: st.Portal(),
			m: &Manifest{Portal: st.Portal(), Revision: tx.Revision(), Time: opt.Now().UTC()}}
		if prev != nil && prev.Revision == e.m.Revision {
			// Same revision again: new names, so the published files stay
			// intact until the new index replaces the old.
			e.suffix = "-" + randomHex(4)
		}
		err := e.run()
		m = e.m
		return err
	})
	if err != nil {
		if m != nil {
			removeFiles(dir, m.Files)
		}
		return nil, err
	}
	if prev != nil && !opt.Force {
		before, after := prev.Counts.Total(), m.Counts.Total()
		if before > 0 && float64(before-after) > opt.MaxShrink*float64(before) {
			removeFiles(dir, m.Files)
			return m, fmt.Errorf("%w: %d objects and responsibilities instead of %d published at revision %d (more than %.0f%% fewer); the published export stays: %w",
				ErrShrunk, after, before, prev.Revision, opt.MaxShrink*100, catalog.Errorf(catalog.ECONFLICT, "export refused"))
		}
	}
	if err := writeAtomic(filepath.Join(dir, ManifestFile), mustJSON(m)); err != nil {
		return nil, err
	}
	var idx strings.Builder
	for _, f := range m.Files {
		idx.WriteString(f.Name + "\n")
	}
	if err := writeAtomic(filepath.Join(dir, IndexFile), []byte(idx.String())); err != nil {
		return nil, err
	}
	// Keep the files of this and the previous export, remove older ones.
	keep := map[string]bool{IndexFile: true, ManifestFile: true}
	for _, f := range m.Files {
		keep[f.Name] = true
	}
	if prev != nil {
		for _, f := range prev.Files {
			keep[f.Name] = true
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		if n := en.Name(); strings.HasSuffix(n, ".xml") && !keep[n] {
			os.Remove(filepath.Join(dir, n))
		}
	}
	return m, nil
}

func mustJSON(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return append(b, '\n')
}

func removeFiles(dir string, files []File) {
	for _, f := range files {
		os.Remove(filepath.Join(dir, f.Name))
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// writeAtomic writes a file through a temporary file, fsync and rename.
func writeAtomic(path string, b []byte) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// exporter writes one export inside one read transaction.
type exporter struct {
	ctx    context.Context
	tx     *catalog.Tx
	dir    string
	opt    ExportOptions
	portal string
	suffix string
	m      *Manifest

	// serviceOf maps a LeiKa key to the service a zustaendigkeit names.
	serviceOf map[string]string
	written   int

	f    *os.File
	x    *xmlWriter
	cur  *File
	kind string
	seq  int
}

func (e *exporter) leaveOut(format string, args ...any) {
	e.m.LeftOutCount++
	if len(e.m.LeftOut) < 100 {
		e.m.LeftOut = append(e.m.LeftOut, fmt.Sprintf(format, args...))
	}
}

func (e *exporter) run() error {
	if err := e.services(); err != nil {
		return err
	}
	if err := e.holders(catalog.KindOffice, "organisationseinheiten"); err != nil {
		return err
	}
	if err := e.holders(catalog.KindOnlineService, "onlinedienste"); err != nil {
		return err
	}
	if err := e.specialisations(); err != nil {
		return err
	}
	return e.closeFile()
}

// begin starts a schreibe object, opening a new file when the current one
// is full or holds another kind.
func (e *exporter) begin(kind string) error {
	if err := e.ctx.Err(); err != nil {
		return err
	}
	if e.f != nil && (e.kind != kind || e.cur.Objects >= e.opt.MaxObjects || e.x.n >= e.opt.MaxBytes) {
		if err := e.closeFile(); err != nil {
			return err
		}
	}
	if e.f == nil {
		if e.kind != kind {
			e.seq = 0
		}
		e.kind = kind
		e.seq++
		name := fmt.Sprintf("r%012d%s-%s-%04d.xml", e.m.Revision, e.suffix, kind, e.seq)
		f, err := os.Create(filepath.Join(e.dir, name))
		if err != nil {
			return err
		}
		e.f, e.x = f, newXMLWriter(f)
		e.m.Files = append(e.m.Files, File{Name: name})
		e.cur = &e.m.Files[len(e.m.Files)-1]
		e.header()
	}
	e.cur.Objects++
	e.written++
	if e.opt.Progress != nil && e.written%1000 == 0 {
		e.opt.Progress(e.written)
	}
	e.x.open("schreibe")
	return nil
}

func (e *exporter) end() error {
	e.x.close("schreibe")
	return e.x.err
}

func (e *exporter) header() {
	x := e.x
	x.raw(`<?xml version="1.0" encoding="UTF-8"?>`)
	x.indent()
	x.raw(`<xzufi:` + rootName + ` xmlns:xzufi="` + Namespace + `" xzufiVersion="` + Version + `" produktbezeichnung="Leistungsfinder">`)
	x.depth++
	x.open("nachrichtenkopf")
	x.leaf("nachrichtUUID", uuid())
	x.leaf("erstellungszeitpunkt", e.m.Time.Format(time.RFC3339))
	x.ident("sender", e.portal, e.opt.Agency)
	x.leaf("revision", fmt.Sprint(e.m.Revision))
	x.close("nachrichtenkopf")
}

func (e *exporter) closeFile() error {
	if e.f == nil {
		return nil
	}
	e.x.depth--
	e.x.indent()
	e.x.raw(`</xzufi:` + rootName + ">\n")
	err := e.x.flush()
	if err == nil {
		err = e.f.Sync()
	}
	if cerr := e.f.Close(); err == nil {
		err = cerr
	}
	e.cur.Bytes = e.x.n
	e.f, e.x, e.cur = nil, nil, nil
	return err
}

func uuid() string {
	b := make([]byte, 16)
	rand.Read(b)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// services writes the published services of this portal and notes, for
// every LeiKa key, the service a responsibility for it names: this
// portal's published one whose first key it is, else any with the key.
func (e *exporter) services() error {
	type pick struct {
		id   string
		rank int
	}
	best := map[string]pick{}
	err := e.tx.Each(catalog.KindService, func(r catalog.Record) (bool, error) {
		s := r.(*catalog.Service)
		own := s.Origin == e.portal
		for i, k := range s.LeikaKeys {
			rank := 0
			if own {
				rank += 4
			}
			if s.Status == catalog.StatusPublished {
				rank += 2
			}
			if i == 0 {
				rank++
			}
			if p, ok := best[k]; !ok || rank > p.rank {
				best[k] = pick{s.ID, rank}
			}
		}
		if !own || s.Status != catalog.StatusPublished {
			return true, nil
		}
		if err := e.begin("leistungen"); err != nil {
			return false, err
		}
		e.x.service(s, e.opt.Agency)
		e.m.Counts.Services++
		return true, e.end()
	})
	if err != nil {
		return err
	}
	e.serviceOf = make(map[string]string, len(best))
	for k, p := range best {
		e.serviceOf[k] = p.id
	}
	return nil
}

// holders writes offices or online services with their responsibilities.
func (e *exporter) holders(k catalog.Kind, fileKind string) error {
	serviceOf := func(leika string) string { return e.serviceOf[leika] }
	return e.tx.Each(k, func(r catalog.Record) (bool, error) {
		if catalog.MetaOf(r).Origin != e.portal {
			return true, nil
		}
		id := catalog.MetaOf(r).ID
		resps := func(fn func(*catalog.Responsibility) error) error {
			return e.tx.EachResponsibilityOf(k, id, func(rs *catalog.Responsibility) error {
				if rs.Origin != e.portal {
					return nil
				}
				if _, ok := e.serviceOf[rs.LeikaKey]; !ok {
					e.leaveOut("responsibility %s: no service has LeiKa key %s", rs.ID, rs.LeikaKey)
					return nil
				}
				e.m.Counts.Responsibilities++
				return fn(rs)
			})
		}
		if err := e.begin(fileKind); err != nil {
			return false, err
		}
		var err error
		switch rec := r.(type) {
		case *catalog.Office:
			err = e.x.office(rec, e.opt.Agency, resps, serviceOf)
			e.m.Counts.Offices++
		case *catalog.OnlineService:
			err = e.x.onlineService(rec, e.opt.Agency, resps, serviceOf)
			e.m.Counts.OnlineServices++
		}
		if err != nil {
			return false, err
		}
		return true, e.end()
	})
}

func (e *exporter) specialisations() error {
	return e.tx.Each(catalog.KindSpecialisation, func(r catalog.Record) (bool, error) {
		s := r.(*catalog.Specialisation)
		if s.Origin != e.portal || s.Status != catalog.StatusPublished {
			return true, nil
		}
		if err := e.begin("spezialisierungen"); err != nil {
			return false, err
		}
		e.x.specialisation(s, e.opt.Agency)
		e.m.Counts.Specialisations++
		return true, e.end()
	})
}

// Sorted file names of a manifest, for tests and logs.
func (m *Manifest) Names() []string {
	out := make([]string, len(m.Files))
	for i, f := range m.Files {
		out[i] = f.Name
	}
	slices.Sort(out)
	return out
}
