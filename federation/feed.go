package federation

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Paths of the feed. They are part of the protocol.
const (
	PathChanges  = "/federation/v1/changes"
	PathSnapshot = "/federation/v1/snapshot"
	PathJWKS     = "/.well-known/jwks.json"
)

// Response headers besides the signature: where the publisher's log stands,
// for the consumer's lag. They are informative and not signed.
const (
	HeaderHead         = "Federation-Head-Revision"
	HeaderPendingSince = "Federation-Pending-Since"
)

// Defaults of FeedOptions.
const (
	DefaultPage      = 500
	DefaultMaxPage   = 1000
	DefaultMaxWait   = 30 * time.Second
	DefaultRetention = 1_000_000
	// ManifestTimeout is how long a snapshot manifest may take to compute
	// and send (the publisher reads every record of its portal for it);
	// consumers wait as long for it.
	ManifestTimeout = 10 * time.Minute
)

// FeedOptions configure a Feed.
type FeedOptions struct {
	// Retention is how many change-log revisions Compact keeps
	// (DefaultRetention if 0). A consumer further behind gets 410 Gone
	// and resyncs from the snapshot.
	Retention int
	// MaxPage is the largest limit a consumer may ask for (DefaultMaxPage
	// if 0); a page without limit holds min(DefaultPage, MaxPage) items.
	MaxPage int
	// MaxWait caps the long-poll wait (DefaultMaxWait if 0).
	MaxWait time.Duration
	// OldKeys are listed in the JWKS besides the signing key, so that
	// consumers can move to a new key while the old one is still known.
	OldKeys []PublicKey
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
}

// Feed publishes this portal's records to peers: the change feed, the
// snapshot and the public keys. It is read-only.
type Feed struct {
	st   *catalog.Store
	key  ed25519.PrivateKey
	kid  string
	opt  FeedOptions
	log  *slog.Logger
	jwks []byte

	closeOnce sync.Once
	done      chan struct{}
}

// NewFeed returns the feed of st, signing with key under key ID keyID
// (KeyID of the public key if empty).
func NewFeed(st *catalog.Store, key ed25519.PrivateKey, keyID string, opt FeedOptions) *Feed {
	if opt.Retention <= 0 {
		opt.Retention = DefaultRetention
	}
	if opt.MaxPage <= 0 {
		opt.MaxPage = DefaultMaxPage
	}
	if opt.MaxWait <= 0 {
		opt.MaxWait = DefaultMaxWait
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	pub := key.Public().(ed25519.PublicKey)
	if keyID == "" {
		keyID = KeyID(pub)
	}
	keys := append([]PublicKey{{ID: keyID, Key: pub}}, opt.OldKeys...)
	return &Feed{st: st, key: key, kid: keyID, opt: opt, log: opt.Logger, jwks: JWKS(keys...), done: make(chan struct{})}
}

// Close ends waiting long polls at once (each answers with what it has);
// call it before shutting the HTTP server down.
func (f *Feed) Close() { f.closeOnce.Do(func() { close(f.done) }) }

// Handler serves GET PathChanges, PathSnapshot and PathJWKS.
func (f *Feed) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+PathChanges, f.serveChanges)
	mux.HandleFunc("GET "+PathSnapshot, f.serveSnapshot)
	mux.HandleFunc("GET "+PathJWKS, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(f.jwks)
	})
	return mux
}

// Compact removes the change log except its last Retention revisions, with
// the history versions only they referred to (catalog.Store.Compact).
// Tombstones are log entries, so they live exactly as long as the log. It
// returns how many entries were removed.
//
// Errors: INTERNAL.
func (f *Feed) Compact(ctx context.Context) (int, error) {
	head := f.st.Revision()
	if head <= uint64(f.opt.Retention) {
		return 0, nil
	}
	through := head - uint64(f.opt.Retention)
	var first uint64
	if err := f.st.View(ctx, func(tx *catalog.Tx) error { first = tx.FirstRevision(); return nil }); err != nil {
		return 0, err
	}
	if through < first {
		return 0, nil
	}
	n, err := f.st.Compact(ctx, through)
	if err == nil && n > 0 {
		f.log.Info("federation log compacted", "through", through, "removed", n)
	}
	return n, err
}

// authorize admits bearer tokens of the PEER (and ADMIN) role.
func (f *Feed) authorize(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	token, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(token) == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="federation"`)
		f.writeError(w, r, catalog.Errorf(catalog.EUNAUTHENTICATED, "a peer token is required (Authorization: Bearer ...)"))
		return false
	}
	p, err := f.st.Authenticate(r.Context(), strings.TrimSpace(token), r.RemoteAddr)
	if err != nil {
		w.Header().Set("WWW-Authenticate", `Bearer realm="federation", error="invalid_token"`)
		f.writeError(w, r, err)
		return false
	}
	if p.Role != catalog.AccessPeer && p.Role != catalog.AccessAdmin {
		f.writeError(w, r, catalog.Errorf(catalog.EFORBIDDEN, "the feed is for peer portals (role PEER)"))
		return false
	}
	return true
}

// gone is the error of a cursor or snapshot the log no longer covers.
func gone(format string, args ...any) error {
	e := catalog.Errorf(catalog.ENOTFOUND, format, args...)
	e.Rule = catalog.RuleCompacted
	return e
}

func isGone(err error) bool { return errors.Is(err, catalog.ErrCompacted) }

// httpStatus maps a catalogue error code to the feed's HTTP status.
func httpStatus(err error) int {
	if isGone(err) {
		return http.StatusGone
	}
	switch catalog.ErrorCode(err) {
	case catalog.EINVALID:
		return http.StatusBadRequest
	case catalog.ENOTFOUND:
		return http.StatusNotFound
	case catalog.ECONFLICT:
		return http.StatusConflict
	case catalog.EUNAUTHENTICATED:
		return http.StatusUnauthorized
	case catalog.EFORBIDDEN:
		return http.StatusForbidden
	case catalog.ERATELIMITED:
		return http.StatusTooManyRequests
	case catalog.ETIMEOUT:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func (f *Feed) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := httpStatus(err)
	var body errorBody
	body.Error.Code = catalog.ErrorCode(err)
	body.Error.Message = catalog.ErrorMessage(err)
	var e *catalog.Error
	if errors.As(err, &e) {
		body.Error.Field, body.Error.Rule = e.Field, e.Rule
	}
	if status == http.StatusGone {
		body.Snapshot = PathSnapshot
		w.Header().Set("Link", "<"+PathSnapshot+`>; rel="snapshot"`)
	}
	if status == http.StatusInternalServerError {
		f.log.Error("federation feed", "path", r.URL.Path, "err", err)
	}
	data, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(data)
}

// write sends a signed JSON document. A full page (immutable: its content
// depends on nothing but the retained log) gets a strong ETag and may be
// cached; anything else is no-store.
func (f *Feed) write(w http.ResponseWriter, r *http.Request, doc any, immutable bool) {
	body, err := json.Marshal(doc)
	if err != nil {
		f.writeError(w, r, catalog.Internal(err))
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set(SignatureHeader, Sign(f.key, f.kid, body))
	if immutable {
		sum := sha256.Sum256(body)
		etag := `"` + b64.EncodeToString(sum[:18]) + `"`
		h.Set("ETag", etag)
		h.Set("Cache-Control", "private, max-age=86400, immutable")
		if etagMatch(r.Header.Get("If-None-Match"), etag) {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	} else {
		h.Set("Cache-Control", "no-store")
	}
	w.Write(body)
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		if t = strings.TrimSpace(t); t == etag || t == "*" {
			return true
		}
	}
	return false
}

func (f *Feed) limitParam(s string) (int, error) {
	if s == "" {
		return min(DefaultPage, f.opt.MaxPage), nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > f.opt.MaxPage {
		return 0, catalog.Invalid("limit", "range", "limit must be an integer from 1 to %d", f.opt.MaxPage)
	}
	return n, nil
}

// waitParam reads wait as whole seconds ("30") or a Go duration ("30s"),
// capped at MaxWait.
func (f *Feed) waitParam(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	var d time.Duration
	if n, err := strconv.Atoi(s); err == nil {
		d = time.Duration(n) * time.Second
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, catalog.Invalid("wait", "format", "wait must be seconds (30) or a duration (30s)")
	}
	if d < 0 {
		return 0, catalog.Invalid("wait", "range", "wait must not be negative")
	}
	return min(d, f.opt.MaxWait), nil
}

// changeAt returns the log entry at rev, or false if it is not in the log.
func changeAt(tx *catalog.Tx, rev uint64) (catalog.Change, bool, error) {
	if rev == 0 || rev < tx.FirstRevision() || rev > tx.Revision() {
		return catalog.Change{}, false, nil
	}
	chs, err := tx.Changes(rev-1, 1)
	if err != nil || len(chs) == 0 || chs[0].Revision != rev {
		return catalog.Change{}, false, err
	}
	return chs[0], true, nil
}

// checkPosition fails with gone unless the log continues right after
// revision rev with the history the mark was taken from.
func checkPosition(tx *catalog.Tx, rev, mark uint64, what string) error {
	head, first := tx.Revision(), tx.FirstRevision()
	if rev > head {
		return gone("the %s stands at revision %d, beyond this feed's last revision %d (the store was restored or replaced); resync from the snapshot", what, rev, head)
	}
	if rev+1 < first {
		return gone("the change log before revision %d was compacted; resync from the snapshot", first)
	}
	ch, ok, err := changeAt(tx, rev)
	if err != nil {
		return err
	}
	// The entry at rev itself may be compacted away while the log still
	// continues at rev+1: then the mark cannot be checked, and need not be.
	if ok && changeMark(ch) != mark {
		return gone("the %s belongs to another history of this feed's log (the store was restored or replaced); resync from the snapshot", what)
	}
	return nil
}

type changesResult struct {
	items        []Item
	next         Cursor
	full         bool
	head         uint64
	pendingSince time.Time
}

// readChanges reads up to limit local items after pos in one read
// transaction. It scans at most a budget of entries, so that a long run of
// mirrored entries (which the feed does not publish) still gives a page.
func (f *Feed) readChanges(ctx context.Context, pos Cursor, limit int) (changesResult, error) {
	res := changesResult{items: []Item{}, next: pos}
	err := f.st.View(ctx, func(tx *catalog.Tx) error {
		res.head = tx.Revision()
		if err := checkPosition(tx, pos.Revision, pos.Mark, "cursor"); err != nil {
			return err
		}
		budget := max(10*limit, 1000)
		scanned := 0
		for len(res.items) < limit && scanned < budget {
			chs, err := tx.ChangesSince(res.next.Revision, min(limit-len(res.items), budget-scanned))
			if err != nil {
				return err
			}
			if len(chs) == 0 {
				break
			}
			for _, ch := range chs {
				scanned++
				res.next = cursorAt(ch)
				if ch.Origin != f.st.Portal() {
					continue
				}
				it, err := f.item(tx, ch)
				if err != nil {
					return err
				}
				res.items = append(res.items, it)
			}
		}
		// Full depends only on the log's content, never on where its head
		// is: so is the page, which makes it immutable.
		res.full = len(res.items) == limit || scanned >= budget
		if res.next.Revision < res.head {
			if ch, ok, err := changeAt(tx, res.next.Revision+1); err == nil && ok {
				res.pendingSince = ch.Time
			}
		}
		return nil
	})
	return res, err
}

// item returns the page item of a log entry: the full version it wrote,
// or a tombstone.
func (f *Feed) item(tx *catalog.Tx, ch catalog.Change) (Item, error) {
	if ch.Op == catalog.OpDelete {
		return Item{Op: OpDelete, Kind: ch.Kind, ID: ch.ID, Origin: ch.Origin, Revision: ch.Revision,
			Version: ch.Version, Time: ch.Time.UTC()}, nil
	}
	r, err := tx.VersionAt(ch.Kind, ch.ID, ch.Revision)
	if err != nil {
		// Every put still in the log has its version in history.
		return Item{}, catalog.Internal(err)
	}
	return publish(r)
}

func (f *Feed) serveChanges(w http.ResponseWriter, r *http.Request) {
	if !f.authorize(w, r) {
		return
	}
	q := r.URL.Query()
	after, err := ParseCursor(q.Get("after"))
	if err != nil {
		f.writeError(w, r, catalog.Invalid("after", "format", "after is not a cursor of this feed: %v", err))
		return
	}
	limit, err := f.limitParam(q.Get("limit"))
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	wait, err := f.waitParam(q.Get("wait"))
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	ctx := r.Context()
	if wait > 0 {
		// The server's write timeout is usually shorter than a long poll.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(wait + 30*time.Second))
	}
	// The long poll waits real time (a timer), so it measures with the
	// wall clock, not with the store's calendar clock.
	deadline := time.Now().Add(wait)
	pos := after
	for {
		changed := f.st.Changed() // before reading, so no commit is missed
		res, err := f.readChanges(ctx, pos, limit)
		if err != nil {
			if ctx.Err() == nil {
				f.writeError(w, r, err)
			}
			return
		}
		closed := false
		select {
		case <-f.done:
			closed = true
		default:
		}
		if len(res.items) > 0 || res.full || closed || !time.Now().Before(deadline) {
			w.Header().Set(HeaderHead, strconv.FormatUint(res.head, 10))
			if !res.pendingSince.IsZero() {
				w.Header().Set(HeaderPendingSince, res.pendingSince.UTC().Format(time.RFC3339Nano))
			}
			page := Page{Portal: f.st.Portal(), After: q.Get("after"), Next: res.next.String(),
				Revision: res.next.Revision, More: res.full, Items: res.items}
			f.write(w, r, page, res.full)
			return
		}
		// Nothing to publish yet: remember how far the log was scanned
		// (entries of other origins) and wait for the next commit.
		pos = res.next
		timer := time.NewTimer(time.Until(deadline))
		select {
		case <-changed:
		case <-timer.C:
		case <-f.done:
		case <-ctx.Done():
			timer.Stop()
			return
		}
		timer.Stop()
	}
}

func (f *Feed) serveSnapshot(w http.ResponseWriter, r *http.Request) {
	if !f.authorize(w, r) {
		return
	}
	q := r.URL.Query()
	if q.Get("page") == "" {
		// The manifest reads every record: at L (5 million) that takes
		// longer than the server's write timeout allows an answer.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(ManifestTimeout))
		m, err := f.manifest(r.Context())
		if err != nil {
			f.writeError(w, r, err)
			return
		}
		f.write(w, r, m, false)
		return
	}
	tok, err := parsePageToken(q.Get("page"))
	if err != nil {
		f.writeError(w, r, catalog.Invalid("page", "format", "page is not a snapshot page token of this feed: %v", err))
		return
	}
	limit, err := f.limitParam(q.Get("limit"))
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	page, err := f.snapshotPage(r.Context(), tok, limit)
	if err != nil {
		f.writeError(w, r, err)
		return
	}
	page.Page = q.Get("page")
	// A snapshot page at a fixed revision is as immutable as a full page.
	f.write(w, r, page, true)
}

// manifest describes the snapshot at the current revision: every local
// record, counted and digested in one read transaction.
func (f *Feed) manifest(ctx context.Context) (*Manifest, error) {
	var m *Manifest
	err := f.st.View(ctx, func(tx *catalog.Tx) error {
		rev := tx.Revision()
		var cur Cursor
		if rev > 0 {
			ch, ok, err := changeAt(tx, rev)
			if err != nil || !ok {
				return catalog.Internal(errors.New("the last log entry is missing"))
			}
			cur = cursorAt(ch)
		}
		// The origin index yields kinds and IDs in byte order, so the
		// lines come (nearly) sorted and CanonicalDigest's sort is cheap.
		var lines []string
		var err error
		tx.EachOfOrigin(f.st.Portal(), "", "", func(kind catalog.Kind, id string) bool {
			rev, ok, e := tx.RevisionOf(kind, id)
			switch {
			case e != nil:
				err = e
			case !ok:
				err = catalog.Internal(fmt.Errorf("%s %s is in the origin index but not stored", kind, id))
			default:
				lines = append(lines, canonicalLine(kind, id, rev))
			}
			return err == nil
		})
		if err != nil {
			return err
		}
		m = &Manifest{Portal: f.st.Portal(), Revision: rev, Cursor: cur.String(), Count: len(lines),
			Digest: CanonicalDigest(lines), First: pageToken{Revision: rev, Mark: cur.Mark}.String(), Time: f.st.Now().UTC()}
		return nil
	})
	return m, err
}

// snapshotPage serves records as they were at the token's revision R, in
// snapshotKinds order and ID order, in one read transaction at the current
// revision. A record unchanged since R is served as it is; for one changed
// or deleted after R, the first log entry after R tells which version was
// current at R (version-1 of that entry, none if that is 0), and history
// holds it. If the log after R or that history was compacted, the snapshot
// has expired: gone, and the consumer starts over with a new manifest.
func (f *Feed) snapshotPage(ctx context.Context, tok pageToken, limit int) (*SnapshotPage, error) {
	page := &SnapshotPage{Portal: f.st.Portal(), Revision: tok.Revision, Items: []Item{}}
	err := f.st.View(ctx, func(tx *catalog.Tx) error {
		if err := checkPosition(tx, tok.Revision, tok.Mark, "snapshot"); err != nil {
			return err
		}
		portal := f.st.Portal()
		// The first change after R of every local record that changed since.
		firstAfter := map[string]catalog.Change{}
		for pos := tok.Revision; pos < tx.Revision(); {
			chs, err := tx.ChangesSince(pos, 1000)
			if err != nil {
				if isGone(err) {
					return gone("the snapshot at revision %d has expired; start again from the manifest", tok.Revision)
				}
				return err
			}
			if len(chs) == 0 {
				break
			}
			for _, ch := range chs {
				key := string(ch.Kind) + "\t" + ch.ID
				if _, seen := firstAfter[key]; !seen && ch.Origin == portal {
					firstAfter[key] = ch
				}
			}
			pos = chs[len(chs)-1].Revision
		}
		// The current records of each kind come from the origin index from
		// the token on (a page costs its own records, not the whole
		// origin's), merged in ID order with the records changed since R,
		// which may have been deleted meanwhile.
		for k := tok.Kind; k < len(snapshotKinds); k++ {
			kind := snapshotKinds[k]
			after := ""
			if k == tok.Kind {
				after = tok.After
			}
			var changed []string
			for key := range firstAfter {
				if kk, id, _ := strings.Cut(key, "\t"); kk == string(kind) && id > after {
					changed = append(changed, id)
				}
			}
			slices.Sort(changed)
			var err error
			full := false
			serve := func(id string) bool {
				if len(page.Items) == limit {
					last := page.Items[len(page.Items)-1]
					page.Next = pageToken{Revision: tok.Revision, Mark: tok.Mark, Kind: kindIndex(last.Kind), After: last.ID}.String()
					full = true
					return false
				}
				it, ok, e := f.versionAt(tx, kind, id, tok.Revision, firstAfter)
				if e != nil {
					err = e
					return false
				}
				if ok {
					page.Items = append(page.Items, it)
				}
				return true
			}
			tx.EachOfOrigin(portal, kind, after, func(_ catalog.Kind, id string) bool {
				for len(changed) > 0 && changed[0] < id {
					c := changed[0]
					changed = changed[1:]
					if !serve(c) {
						return false
					}
				}
				if len(changed) > 0 && changed[0] == id {
					changed = changed[1:]
				}
				return serve(id)
			})
			if err == nil && !full {
				for _, id := range changed {
					if !serve(id) {
						break
					}
				}
			}
			if err != nil {
				return err
			}
			if full {
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// versionAt returns the item of record (kind, id) as it was at revision
// rev, or false if it did not exist then.
func (f *Feed) versionAt(tx *catalog.Tx, kind catalog.Kind, id string, rev uint64, firstAfter map[string]catalog.Change) (Item, bool, error) {
	fc, changed := firstAfter[string(kind)+"\t"+id]
	if !changed {
		r, err := tx.Get(kind, id)
		if catalog.ErrorCode(err) == catalog.ENOTFOUND {
			return Item{}, false, nil
		}
		if err != nil {
			return Item{}, false, err
		}
		if catalog.MetaOf(r).Revision > rev {
			return Item{}, false, catalog.Internal(errors.New("record newer than the log: " + id))
		}
		it, err := publish(r)
		return it, err == nil, err
	}
	want := fc.Version - 1
	if want <= 0 {
		return Item{}, false, nil // created after rev
	}
	expired := gone("the snapshot at revision %d has expired (history compacted); start again from the manifest", rev)
	hist, err := tx.History(kind, id)
	if catalog.ErrorCode(err) == catalog.ENOTFOUND {
		return Item{}, false, expired
	}
	if err != nil {
		return Item{}, false, err
	}
	var at catalog.Record
	for _, v := range hist {
		if v.Revision <= rev {
			at = v.Record
		}
	}
	if at == nil || catalog.MetaOf(at).Version != want {
		return Item{}, false, expired
	}
	it, err := publish(at)
	return it, err == nil, err
}
