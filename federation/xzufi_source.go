package federation

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/federation/xzufi"
)

// XZuFiSet is a set of XZuFi transfer documents that have been read once
// completely and found well-formed, in the namespace, within the limits
// and without unknown elements: only then is anything applied from them
// (a broken file refuses the whole set, as at the gateway). Items reads
// them a second time as a stream of import items.
type XZuFiSet struct {
	// Dir holds the files (for a URL, a temporary copy that Close removes).
	Dir   string
	Files []string
	// Objects counts the objects, Responsibilities the responsibilities
	// (one per region key), Invalid the objects that will be rejected.
	Objects, Responsibilities, Invalid int
	// Keys are the keys of every record the set writes (only with
	// XZuFiOptions.Keys: a mirror needs them to delete what the peer no
	// longer has), as hashes of 8 bytes a record; an import does without.
	Keys *KeySet
	// Digest is "sha256:" and the hex SHA-256 of the files' names and
	// contents in index order: a mirror resumes an interrupted apply only
	// for the same set of files.
	Digest string
	// LeikaKeys maps the ID of every service of the set that the reader
	// found valid to its first LeiKa key (about 100 bytes a service), for
	// ImportOptions.LeikaKeys.
	LeikaKeys map[string]string
	temp      bool
	lim       xzufi.Limits
}

// XZuFiOptions configure OpenXZuFi.
type XZuFiOptions struct {
	Client *http.Client
	Limits xzufi.Limits
	// MaxFiles bounds the lines of an index (10000 if 0).
	MaxFiles int
	// ETag, when set for a URL, makes the index request conditional; an
	// unchanged index gives ErrNotModified.
	ETag string
	// Keys collects XZuFiSet.Keys.
	Keys bool
}

// ErrNotModified is an index the publisher answered 304 for.
var ErrNotModified = errors.New("index not modified")

// ErrEmptyIndex is an index that lists no files; the gateway aborts on it
// and so does every consumer here.
var ErrEmptyIndex = errors.New("the index lists no files")

// OpenXZuFi reads the documents of a directory (those its index.txt lists,
// else every *.xml in name order) or of a base URL (BASE/index.txt, then
// each listed file as BASE/NAME, copied to a temporary directory), checking
// each completely. It returns the set and the index's ETag.
//
// Errors: ErrEmptyIndex, ErrNotModified, a *xzufi.Error naming file and
// position, or what reading or fetching failed with.
func OpenXZuFi(ctx context.Context, src string, opt XZuFiOptions) (*XZuFiSet, string, error) {
	if opt.MaxFiles <= 0 {
		opt.MaxFiles = 10000
	}
	set := &XZuFiSet{lim: opt.Limits}
	set.LeikaKeys = map[string]string{}
	if opt.Keys {
		set.Keys = NewKeySet()
	}
	var etag string
	if u, err := url.Parse(src); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
		dir, err := os.MkdirTemp("", "xzufi-")
		if err != nil {
			return nil, "", err
		}
		set.Dir, set.temp = dir, true
		etag, err = set.fetch(ctx, src, opt)
		if err != nil {
			set.Close()
			return nil, "", err
		}
	} else {
		set.Dir = src
		b, err := os.ReadFile(filepath.Join(src, xzufi.IndexFile))
		switch {
		case err == nil:
			set.Files, err = parseIndex(string(b), opt.MaxFiles, filepath.Join(src, xzufi.IndexFile))
			if err != nil {
				return nil, "", err
			}
		case errors.Is(err, os.ErrNotExist):
			entries, err := os.ReadDir(src)
			if err != nil {
				return nil, "", err
			}
			for _, e := range entries {
				if !e.IsDir() && strings.HasSuffix(e.Name(), ".xml") {
					set.Files = append(set.Files, e.Name())
				}
			}
			slices.Sort(set.Files)
			if len(set.Files) == 0 {
				return nil, "", fmt.Errorf("%s: %w (no index.txt and no .xml files)", src, ErrEmptyIndex)
			}
		default:
			return nil, "", err
		}
	}
	if err := set.check(ctx); err != nil {
		set.Close()
		return nil, "", err
	}
	if set.Keys != nil {
		set.Keys.Freeze()
	}
	return set, etag, nil
}

// parseIndex reads an index: one relative file name per line (CRLF too),
// blank lines ignored. Names must stay inside the base.
func parseIndex(s string, max int, where string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for i, line := range strings.Split(s, "\n") {
		name := strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if name == "" {
			continue
		}
		if strings.Contains(name, "\\") || strings.HasPrefix(name, "/") || path.Clean(name) != name || strings.HasPrefix(name, "..") || strings.ContainsAny(name, "?#") || strings.Contains(name, "://") {
			return nil, fmt.Errorf("%s:%d: %q is not a relative file name", where, i+1, name)
		}
		if seen[name] {
			return nil, fmt.Errorf("%s:%d: %q is listed twice", where, i+1, name)
		}
		seen[name] = true
		out = append(out, name)
		if len(out) > max {
			return nil, fmt.Errorf("%s: more than %d files listed", where, max)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: %w", where, ErrEmptyIndex)
	}
	return out, nil
}

func (s *XZuFiSet) fetch(ctx context.Context, base string, opt XZuFiOptions) (string, error) {
	client := opt.Client
	if client == nil {
		client = http.DefaultClient
	}
	base = strings.TrimRight(base, "/") + "/"
	get := func(name, etag string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+name, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("User-Agent", "leistungsfinder-xzufi/1")
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", base+name, err)
		}
		if resp.StatusCode == http.StatusNotModified {
			resp.Body.Close()
			return nil, ErrNotModified
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, fmt.Errorf("GET %s: %s", base+name, resp.Status)
		}
		return resp, nil
	}
	resp, err := get(xzufi.IndexFile, opt.ETag)
	if err != nil {
		return "", err
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	resp.Body.Close()
	if err != nil {
		return "", fmt.Errorf("GET %s: %w", base+xzufi.IndexFile, err)
	}
	etag := resp.Header.Get("ETag")
	if s.Files, err = parseIndex(string(b), opt.MaxFiles, base+xzufi.IndexFile); err != nil {
		return "", err
	}
	lim := opt.Limits
	if lim.MaxBytes <= 0 {
		lim.MaxBytes = 256 << 20
	}
	for _, name := range s.Files {
		resp, err := get(name, "")
		if err != nil {
			return "", err
		}
		f, err := os.Create(filepath.Join(s.Dir, name))
		if err != nil {
			resp.Body.Close()
			return "", err
		}
		n, err := io.Copy(f, io.LimitReader(resp.Body, lim.MaxBytes+1))
		resp.Body.Close()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return "", fmt.Errorf("GET %s: %w", base+name, err)
		}
		if resp.ContentLength >= 0 && n != resp.ContentLength && n <= lim.MaxBytes {
			return "", fmt.Errorf("GET %s: %d of %d bytes received (truncated)", base+name, n, resp.ContentLength)
		}
	}
	return etag, nil
}

// check reads every file completely once.
func (s *XZuFiSet) check(ctx context.Context) error {
	h := sha256.New()
	defer func() { s.Digest = "sha256:" + hex.EncodeToString(h.Sum(nil)) }()
	return s.each(ctx, itemPos{}, h, func(it *ImportItem) error {
		if it.Err != nil {
			s.Invalid++
		}
		if it.Kind == catalog.KindResponsibility {
			s.Responsibilities++
		} else {
			s.Objects++
		}
		// Invalid objects count too: a mirror keeps their last good
		// version rather than deleting it.
		if s.Keys != nil && it.Skip == "" && !it.Delete && it.ID != "" {
			s.Keys.Add(it.Kind, it.ID)
		}
		if svc, ok := it.Record.(*catalog.Service); ok && it.Err == nil && it.ID != "" && len(svc.LeikaKeys) > 0 {
			s.LeikaKeys[it.ID] = svc.LeikaKeys[0]
		}
		return nil
	})
}

// itemPos is the place of an item in a set: the index of its file in
// Files and its number among the file's items (an object's record, then
// its responsibilities), both from 0.
type itemPos struct {
	File int `json:"file"`
	Item int `json:"item"`
}

func (p itemPos) less(q itemPos) bool { return p.File < q.File || p.File == q.File && p.Item < q.Item }

// each reads the files in order, from the item at from on, and calls fn
// for every item, with its place set (ImportItem.at). Files before
// from.File are not opened; h, if set, receives every file's name and
// bytes.
func (s *XZuFiSet) each(ctx context.Context, from itemPos, h hash.Hash, fn func(*ImportItem) error) error {
	for i := from.File; i < len(s.Files); i++ {
		name := s.Files[i]
		if err := ctx.Err(); err != nil {
			return err
		}
		f, err := os.Open(filepath.Join(s.Dir, name))
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		var in io.Reader = f
		if h != nil {
			fmt.Fprintf(h, "%d:%s\n", len(name), name)
			in = io.TeeReader(f, h)
		}
		r := xzufi.NewReader(bufio.NewReaderSize(in, 256<<10), name, s.lim)
		n := 0
		for {
			o, err := r.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				f.Close()
				return err
			}
			for _, it := range itemsOf(o) {
				it.at = itemPos{File: i, Item: n}
				n++
				if i == from.File && it.at.Item < from.Item {
					continue
				}
				if err := fn(it); err != nil {
					f.Close()
					return err
				}
			}
		}
		if h != nil {
			// What the XML reader left unread after the root element.
			io.Copy(io.Discard, in)
		}
		f.Close()
	}
	return nil
}

// Items returns the set's items one by one, for Import; the files are
// read again as a stream.
func (s *XZuFiSet) Items(ctx context.Context) (next func() (*ImportItem, error), stop func()) {
	return s.itemsFrom(ctx, itemPos{})
}

// itemsFrom is Items from the item at from on.
func (s *XZuFiSet) itemsFrom(ctx context.Context, from itemPos) (next func() (*ImportItem, error), stop func()) {
	ch := make(chan *ImportItem, 256)
	errc := make(chan error, 1)
	ctx, cancel := context.WithCancel(ctx)
	go func() {
		defer close(ch)
		errc <- s.each(ctx, from, nil, func(it *ImportItem) error {
			select {
			case ch <- it:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	next = func() (*ImportItem, error) {
		it, ok := <-ch
		if ok {
			return it, nil
		}
		if err := <-errc; err != nil {
			errc <- err
			return nil, err
		}
		errc <- nil
		return nil, nil
	}
	stop = func() {
		cancel()
		for range ch {
		}
	}
	return next, stop
}

// Close removes a temporary copy.
func (s *XZuFiSet) Close() {
	if s.temp {
		os.RemoveAll(s.Dir)
	}
}

// itemsOf turns an object into import items: the record, then its
// responsibilities.
func itemsOf(o *xzufi.Object) []*ImportItem {
	where := o.Pos.String()
	if o.Skip != "" {
		return []*ImportItem{{Kind: o.Kind, ID: o.ID, Where: where, Skip: o.Skip}}
	}
	if o.Err != nil {
		// The error names the file and the position of each broken rule.
		return []*ImportItem{{Kind: o.Kind, ID: o.ID, Err: o.Err}}
	}
	if o.Delete {
		return []*ImportItem{{Kind: o.Kind, ID: o.ID, Where: where, Delete: true}}
	}
	var out []*ImportItem
	if o.Record != nil {
		out = append(out, &ImportItem{Kind: o.Kind, ID: o.ID, Where: where, Record: o.Record})
	}
	for _, r := range o.Responsibilities {
		rec := &catalog.Responsibility{Meta: catalog.Meta{ID: r.ID}, RegionKey: r.RegionKey, Role: r.Role, Validity: r.Validity}
		it := &ImportItem{Kind: catalog.KindResponsibility, ID: r.ID, Where: r.Pos.String(), Record: rec, ServiceRef: r.ServiceID}
		switch r.HolderKind {
		case catalog.KindOffice:
			rec.OfficeID = r.HolderID
		case catalog.KindOnlineService:
			rec.OnlineServiceID = r.HolderID
		default:
			it.HolderRef = r.HolderID
		}
		out = append(out, it)
	}
	return out
}
