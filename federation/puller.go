package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/backoff"
)

// PullerOptions configure a Puller (and the pullers of a Mirror).
type PullerOptions struct {
	// Client makes the requests; nil uses a client without overall timeout
	// (each request gets its own deadline).
	Client *http.Client
	// PageLimit is the limit asked for (DefaultPage if 0).
	PageLimit int
	// Wait is the long-poll wait asked for when caught up (25 s if 0).
	Wait time.Duration
	// RequestTimeout bounds a request beyond its wait (30 s if 0).
	RequestTimeout time.Duration
	// MinBackoff and MaxBackoff bound the wait after a failure, which
	// doubles per consecutive failure with jitter (1 s and 5 min if 0).
	MinBackoff, MaxBackoff time.Duration
	// MaxBody caps a response body (64 MiB if 0).
	MaxBody int64
	// MaxShrink is the largest share of the peer's mirrored records a
	// snapshot may delete (0.5 if 0; 1 allows any). A snapshot that would
	// delete more is refused: a peer that lost its data must not empty
	// ours. An operator raises it for one resync when the loss is real.
	MaxShrink float64
	// SwapBatch is how many staged records of a verified snapshot one
	// transaction applies (10,000 if 0); see swap.
	SwapBatch int
	// AtomicItems is the size up to which an XZuFi peer's new snapshot
	// (objects and responsibilities) is applied in one transaction, so
	// that readers see the old or the new catalogue, never a mix (50,000
	// if 0; negative: always in batches of SwapBatch). A transaction
	// holds what it writes in memory until it commits, a few KB a record:
	// larger snapshots are applied in batches (xzufi_mirror.go).
	AtomicItems int
	// PollInterval is the wait between two pulls of an XZuFi peer's index
	// (15 min if 0); the index is asked for conditionally.
	PollInterval time.Duration
	// Logger receives structured logs; nil discards them.
	Logger *slog.Logger
	// Now is the clock (the store's, Store.Now, if nil).
	Now func() time.Time
	// OnStatus, if set, is called with the new status after every change
	// of it (state, failure, applied page), outside the puller's lock:
	// for whoever watches the puller instead of polling Status.
	OnStatus func(Status)
}

func (o *PullerOptions) defaults(st *catalog.Store) {
	if o.Client == nil {
		o.Client = &http.Client{}
	}
	if o.PageLimit <= 0 {
		o.PageLimit = DefaultPage
	}
	if o.Wait <= 0 {
		o.Wait = 25 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 30 * time.Second
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Minute
	}
	if o.MaxBody <= 0 {
		o.MaxBody = 64 << 20
	}
	if o.MaxShrink <= 0 {
		o.MaxShrink = 0.5
	}
	if o.SwapBatch <= 0 {
		o.SwapBatch = 10_000
	}
	if o.AtomicItems == 0 {
		o.AtomicItems = 50_000
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 15 * time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = st.Now
	}
}

// Puller states, as Status.State reports them.
const (
	StateIdle      = "idle"      // not started, or between Sync calls
	StateFollowing = "following" // fetching and applying pages
	StateResyncing = "resyncing" // staging a snapshot after 410 Gone
	StateBackoff   = "backoff"   // waiting after a failure
	StateStopped   = "stopped"
	// StateDegraded: the last answer was refused (unsigned, truncated,
	// an empty or shrunken index, an unreadable file); nothing of it was
	// applied and nothing was deleted. Status.Degraded says why.
	StateDegraded = "degraded"
)

// Status is what a puller reports about its peer: for the GraphQL
// federationStatus and for /metrics (NewCollector).
type Status struct {
	Peer  string `json:"peer"`
	URL   string `json:"url"`
	Kind  string `json:"kind"`
	State string `json:"state"`
	// Degraded is why the last answer was refused, until a pull succeeds,
	// or else why records are quarantined (Status computes it).
	Degraded string `json:"degraded,omitempty"`
	// Cursor is the opaque position in the peer's feed; Revision the
	// peer's log revision it stands at.
	Cursor   string `json:"cursor"`
	Revision int64  `json:"revision"`
	// HeadRevision is the peer's last revision as of the last answer.
	HeadRevision int64 `json:"headRevision"`
	// LagRevisions is HeadRevision - Revision.
	LagRevisions int64 `json:"lagRevisions"`
	// LagSeconds is the age of the oldest change the peer has and we have
	// not applied (0 when caught up), as of the last answer.
	LagSeconds  float64   `json:"lagSeconds"`
	LastSuccess time.Time `json:"lastSuccess,omitzero"`
	LastError   string    `json:"lastError,omitempty"`
	LastErrorAt time.Time `json:"lastErrorAt,omitzero"`
	// ConsecutiveErrors counts failures since the last success.
	ConsecutiveErrors int `json:"consecutiveErrors"`
	// Quarantined is how many of the peer's records are quarantined now;
	// while there are any, a following or idle puller is StateDegraded and
	// Degraded and QuarantinedIDs (the first few, "kind id") say why.
	Quarantined    int      `json:"quarantined"`
	QuarantinedIDs []string `json:"quarantinedIds,omitempty"`
	// Applied, Skipped (already applied, or shared reference data owned
	// here) and Errors count since the puller started.
	Applied int64 `json:"applied"`
	Skipped int64 `json:"skipped"`
	Errors  int64 `json:"errors"`
	// Resyncs counts snapshot resyncs ever completed; Refused counts
	// snapshots or pages refused since start (unsigned, short, shrunken).
	Resyncs    int       `json:"resyncs"`
	LastResync time.Time `json:"lastResync,omitzero"`
	Refused    int64     `json:"refused"`
}

// Puller mirrors one peer: it follows the peer's feed and applies each page
// and the new cursor in one transaction, so a crash or restart can neither
// lose nor double-apply a page.
type Puller struct {
	st   *catalog.Store
	peer Peer
	keys []PublicKey
	opt  PullerOptions
	log  *slog.Logger

	mu     sync.Mutex
	status Status

	// afterSwapBatch, if set, runs after each committed batch of a
	// snapshot swap (tests stop a swap half-way with it).
	afterSwapBatch func()
	// cleanupWake asks Run's background cleanup of the staged items of
	// a swapped-in snapshot to run (cleanup.go).
	cleanupWake chan struct{}
	// cleanupBatch is how many staged items one cleanup transaction
	// deletes (defaultCleanupBatch; tests make it small).
	cleanupBatch int
	// afterCleanupBatch, if set, runs after each cleanup transaction with
	// the number of items it deleted (tests interrupt a cleanup with it).
	afterCleanupBatch func(int)
}

// NewPuller returns a puller for a peer configured with AddPeer.
//
// Errors: NOT_FOUND for a peer that is not configured, INVALID for a
// stored configuration that is not usable.
func NewPuller(st *catalog.Store, id string, opt PullerOptions) (*Puller, error) {
	var peer Peer
	err := st.View(context.Background(), func(tx *catalog.Tx) error {
		v := tx.PeerData(keyPeer + id)
		if v == nil {
			return catalog.Errorf(catalog.ENOTFOUND, "peer %q is not configured", id)
		}
		return json.Unmarshal(v, &peer)
	})
	if err != nil {
		return nil, err
	}
	if err := peer.validate(st.Portal()); err != nil {
		return nil, err
	}
	keys, _ := ParsePublicKeys(peer.PublicKey)
	opt.defaults(st)
	p := &Puller{st: st, peer: peer, keys: keys, opt: opt, log: opt.Logger.With("peer", peer.ID),
		status:      Status{Peer: peer.ID, URL: peer.URL, Kind: peer.Kind, State: StateIdle},
		cleanupWake: make(chan struct{}, 1), cleanupBatch: defaultCleanupBatch}
	err = st.View(context.Background(), func(tx *catalog.Tx) error {
		s, err := loadState(tx, peer.ID)
		if err != nil {
			return err
		}
		p.status.Cursor, p.status.Revision = s.Cursor, int64(s.Revision)
		p.status.Resyncs, p.status.LastResync = s.Resyncs, s.LastResync
		p.status.Quarantined = countPrefix(tx, keyQuarantine+peer.ID+"/")
		return nil
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Peer returns the peer's configuration.
func (p *Puller) Peer() Peer { return p.peer }

// Status returns the current status.
func (p *Puller) Status() Status {
	p.mu.Lock()
	s := p.status
	p.mu.Unlock()
	p.degrade(&s)
	return s
}

func (p *Puller) setState(s string) {
	p.mu.Lock()
	p.status.State = s
	p.mu.Unlock()
	p.statusChanged()
}

// statusChanged tells OnStatus about the status as it is now.
func (p *Puller) statusChanged() {
	if p.opt.OnStatus != nil {
		p.opt.OnStatus(p.Status())
	}
}

func (p *Puller) fail(err error) {
	defer p.statusChanged()
	p.mu.Lock()
	defer p.mu.Unlock()
	p.status.LastError = err.Error()
	p.status.LastErrorAt = p.opt.Now().UTC()
	p.status.ConsecutiveErrors++
	p.status.Errors++
	var r *refusal
	if errors.As(err, &r) {
		p.status.Refused++
		p.status.Degraded = err.Error()
	}
	p.log.Warn("federation pull failed", "err", err)
}

// Run follows the peer until ctx ends, long-polling when caught up and
// backing off with jitter after failures. It returns ctx's error.
func (p *Puller) Run(ctx context.Context) error {
	// The staged items of a swapped-in snapshot are removed beside the
	// feed, not before following it again (cleanup.go).
	cleanCtx, stopCleanup := context.WithCancel(ctx)
	cleaned := make(chan struct{})
	go func() { defer close(cleaned); p.runCleanup(cleanCtx) }()
	defer func() { stopCleanup(); <-cleaned }()
	failures := 0
	wait := false
	for {
		if ctx.Err() != nil {
			p.setState(StateStopped)
			return ctx.Err()
		}
		p.setState(StateFollowing)
		more, err := p.step(ctx, wait)
		if err != nil {
			if ctx.Err() != nil {
				continue
			}
			failures++
			p.fail(err)
			p.setState(p.failedState())
			p.backoff().Wait(ctx, failures)
			wait = false
			continue
		}
		failures = 0
		wait = !more
		if p.peer.Kind == KindXZuFi && !more {
			// An index has no long polling: look again after the interval.
			p.setState(StateIdle)
			t := time.NewTimer(p.opt.PollInterval)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
		}
	}
}

// failedState is the state after a failure: degraded when the answer was
// refused, else backing off.
func (p *Puller) failedState() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status.Degraded != "" {
		return StateDegraded
	}
	return StateBackoff
}

// backoff is the retry schedule after failures: exponential from
// MinBackoff to MaxBackoff, with jitter so that pullers of many portals do
// not retry in step.
func (p *Puller) backoff() backoff.Policy {
	return backoff.Policy{Min: p.opt.MinBackoff, Max: p.opt.MaxBackoff}
}

// Sync pulls until the puller is caught up with the peer, resyncing from
// the snapshot if needed, without long polling. It is Run's work for one
// round (and for `leistungsfinder peer sync` and tests).
func (p *Puller) Sync(ctx context.Context) error {
	for {
		p.setState(StateFollowing)
		more, err := p.step(ctx, false)
		if err != nil {
			p.fail(err)
			p.setState(p.failedState())
			return err
		}
		p.setState(StateIdle)
		if !more {
			// Run does this in the background; Sync returns with the
			// staged items of a swapped-in snapshot removed.
			_, err := p.cleanStaging(ctx)
			return err
		}
	}
}

// refusal is an answer the puller refused to apply: unsigned, badly
// signed, malformed, short or shrunken. Nothing of it was applied.
type refusal struct{ msg string }

func (r *refusal) Error() string { return r.msg }

func refuse(format string, args ...any) error { return &refusal{fmt.Sprintf(format, args...)} }

// errGone is a 410 answer: the cursor is older than the peer's log.
var errGone = errors.New("the peer's log no longer covers our cursor (410 Gone)")

func loadState(tx *catalog.Tx, peer string) (peerState, error) {
	var s peerState
	if v := tx.PeerData(keyState + peer); v != nil {
		if err := json.Unmarshal(v, &s); err != nil {
			return s, catalog.Internal(err)
		}
	}
	return s, nil
}

func saveState(tx *catalog.Tx, peer string, s peerState) error {
	data, err := json.Marshal(s)
	if err != nil {
		return catalog.Internal(err)
	}
	return tx.SetPeerData(keyState+peer, data)
}

// step fetches and applies one page (or resyncs after 410). more reports
// that the peer has more right now.
func (p *Puller) step(ctx context.Context, wait bool) (more bool, err error) {
	var s peerState
	if err := p.st.View(ctx, func(tx *catalog.Tx) error { s, err = loadState(tx, p.peer.ID); return err }); err != nil {
		return false, err
	}
	if p.peer.Kind == KindXZuFi {
		return false, p.pullXZuFi(ctx, s)
	}
	w := time.Duration(0)
	if wait {
		w = p.opt.Wait
	}
	q := url.Values{"limit": {strconv.Itoa(p.opt.PageLimit)}}
	if s.Cursor != "" {
		q.Set("after", s.Cursor)
	}
	if w > 0 {
		q.Set("wait", strconv.Itoa(max(1, int(w/time.Second))))
	}
	body, hdr, err := p.get(ctx, PathChanges, q, w)
	if errors.Is(err, errGone) {
		p.log.Info("cursor gone, resyncing from the snapshot", "cursor", s.Cursor)
		return true, p.resync(ctx)
	}
	if err != nil {
		return false, err
	}
	page, err := DecodePage(body)
	if err != nil {
		return false, refuse("%v", err)
	}
	if page.Portal != p.peer.ID {
		return false, refuse("page is from portal %q, not %q", page.Portal, p.peer.ID)
	}
	if page.After != s.Cursor {
		return false, refuse("page answers cursor %q, not the one asked for", page.After)
	}
	res, err := p.applyPage(ctx, s.Cursor, page)
	if errors.Is(err, errCursorMoved) {
		p.log.Debug("cursor moved meanwhile; fetching again", "cursor", s.Cursor)
		return true, nil
	}
	if err != nil {
		return false, err
	}
	p.succeeded(res, page.Revision, hdr)
	return page.More, nil
}

// succeeded records a good answer in the status.
func (p *Puller) succeeded(res applyResult, rev uint64, hdr http.Header) {
	now := p.opt.Now()
	defer p.statusChanged()
	p.mu.Lock()
	defer p.mu.Unlock()
	st := &p.status
	st.Revision = int64(rev)
	st.Cursor = res.cursor
	st.HeadRevision = st.Revision
	if h, err := strconv.ParseUint(hdr.Get(HeaderHead), 10, 64); err == nil && h > rev {
		st.HeadRevision = int64(h)
	}
	st.LagRevisions = st.HeadRevision - st.Revision
	st.LagSeconds = 0
	if t, err := time.Parse(time.RFC3339Nano, hdr.Get(HeaderPendingSince)); err == nil && st.LagRevisions > 0 {
		st.LagSeconds = max(0, now.Sub(t).Seconds())
	}
	st.LastSuccess = now.UTC()
	st.ConsecutiveErrors = 0
	st.Degraded = ""
	st.Applied += int64(res.applied)
	st.Skipped += int64(res.skipped)
	st.Quarantined = res.quarantined
	if res.resynced {
		st.Resyncs, st.LastResync = res.resyncs, now.UTC()
	}
}

// get performs an authenticated GET on the peer and returns the verified
// body. A 410 is errGone; any other non-200 answer, an oversized or
// unsigned body is an error.
func (p *Puller) get(ctx context.Context, path string, q url.Values, wait time.Duration) ([]byte, http.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, wait+p.opt.RequestTimeout)
	defer cancel()
	u := p.peer.URL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+p.peer.Token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "leistungsfinder-federation/1")
	resp, err := p.opt.Client.Do(req)
	if err != nil {
		return nil, nil, fmt.Errorf("GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, p.opt.MaxBody+1))
	if err != nil {
		return nil, nil, refuse("GET %s: truncated answer: %v", path, err)
	}
	switch {
	case resp.StatusCode == http.StatusGone:
		return nil, nil, errGone
	case resp.StatusCode != http.StatusOK:
		return nil, nil, fmt.Errorf("GET %s: peer answered %s%s", path, resp.Status, errorDetail(body))
	case int64(len(body)) > p.opt.MaxBody:
		return nil, nil, refuse("GET %s: answer exceeds %d bytes", path, p.opt.MaxBody)
	}
	if err := Verify(p.keys, resp.Header.Get(SignatureHeader), body); err != nil {
		return nil, nil, refuse("GET %s: %v", path, err)
	}
	return body, resp.Header, nil
}

// errorDetail returns ": message" from an error body, if there is one.
func errorDetail(body []byte) string {
	var e errorBody
	if json.Unmarshal(body, &e) == nil && e.Error.Message != "" {
		m := e.Error.Message
		if len(m) > 200 {
			m = m[:200]
		}
		return ": " + e.Error.Code + ": " + m
	}
	return ""
}

type applyResult struct {
	cursor      string
	applied     int
	skipped     int
	quarantined int
	resynced    bool
	resyncs     int
}

// errCursorMoved means another puller of the same peer (a `peer sync`
// beside the server's) applied a page meanwhile: a CONFLICT, not a fault.
// step fetches the page again from the new cursor.
var errCursorMoved = catalog.Errorf(catalog.ECONFLICT, "the cursor moved while the page was fetched; fetching again")

// configured fails once the peer has been removed, so that a puller still
// running never writes for it again.
func (p *Puller) configured(tx *catalog.Tx) error {
	if tx.PeerData(keyPeer+p.peer.ID) == nil {
		return catalog.Errorf(catalog.ENOTFOUND, "peer %q was removed", p.peer.ID)
	}
	return nil
}

// applyPage applies a page and advances the cursor in one transaction,
// provided the stored cursor is still the one the page was asked with.
func (p *Puller) applyPage(ctx context.Context, asked string, page *Page) (applyResult, error) {
	var res applyResult
	err := p.st.Update(ctx, func(tx *catalog.Tx) error {
		res = applyResult{}
		if err := p.configured(tx); err != nil {
			return err
		}
		s, err := loadState(tx, p.peer.ID)
		if err != nil {
			return err
		}
		if s.Cursor != asked {
			return errCursorMoved
		}
		a := p.applier(tx, false)
		if err := a.apply(page.Items); err != nil {
			return err
		}
		if a.applied > 0 {
			if err := a.retryQuarantine(200); err != nil {
				return err
			}
		}
		s.Cursor, s.Revision, s.Updated = page.Next, page.Revision, p.opt.Now().UTC()
		if err := saveState(tx, p.peer.ID, s); err != nil {
			return err
		}
		res = applyResult{cursor: s.Cursor, applied: a.applied, skipped: a.skipped,
			quarantined: countPrefix(tx, keyQuarantine+p.peer.ID+"/")}
		return nil
	})
	return res, err
}

// applier applies items of one peer inside one write transaction.
type applier struct {
	p        *Puller
	tx       *catalog.Tx
	snapshot bool // a snapshot is authoritative: apply any other revision, not only newer ones
	write    catalog.Write
	now      time.Time

	applied, skipped, quarantined int
}

func (p *Puller) applier(tx *catalog.Tx, snapshot bool) *applier {
	return &applier{p: p, tx: tx, snapshot: snapshot, now: p.opt.Now().UTC(),
		write: catalog.Write{Mirror: true, Actor: "peer:" + p.peer.ID, Reason: "federation"}}
}

// pending is an item whose record refers to one not applied yet.
type pending struct {
	it  *Item
	rec catalog.Record
	err error
}

// apply applies items in order. Only the last item of a record counts
// (items are full records, never patches). A record that refers to one
// that is missing waits for the rest and is tried again while that makes
// progress; then it is quarantined like any invalid record. Only an
// internal error fails the whole transaction.
func (a *applier) apply(items []Item) error {
	last := map[string]int{}
	for i := range items {
		last[string(items[i].Kind)+"\t"+items[i].ID] = i
	}
	var waiting []pending
	for i := range items {
		it := &items[i]
		if last[string(it.Kind)+"\t"+it.ID] != i {
			a.skipped++
			continue
		}
		pd, err := a.one(it)
		if err != nil {
			return err
		}
		if pd != nil {
			waiting = append(waiting, *pd)
		}
	}
	for len(waiting) > 0 {
		var still []pending
		for _, w := range waiting {
			err := a.put(w.it, w.rec)
			switch {
			case err == nil:
			case onlyMissingRefs(err):
				w.err = err
				still = append(still, w)
			default:
				if err := a.quarantineErr(w.it, err, false); err != nil {
					return err
				}
			}
		}
		if len(still) == len(waiting) {
			for _, w := range still {
				if err := a.quarantineErr(w.it, w.err, true); err != nil {
					return err
				}
			}
			break
		}
		waiting = still
	}
	return nil
}

// one applies one item; it returns a pending put when the record refers to
// one that is missing.
func (a *applier) one(it *Item) (*pending, error) {
	peer := a.p.peer.ID
	if it.Origin != peer {
		return nil, a.quarantine(it, fmt.Sprintf("origin %q is not the peer's (%s): a feed carries only its own records", it.Origin, peer), "", "origin", false)
	}
	if kindIndex(it.Kind) < 0 {
		return nil, a.quarantine(it, fmt.Sprintf("unknown record kind %q", it.Kind), "", "kind", false)
	}
	cur, err := a.tx.Lookup(it.Kind, it.ID)
	if err != nil {
		return nil, err
	}
	var cm *catalog.Meta
	if cur != nil {
		cm = catalog.MetaOf(cur)
		if cm.Origin != peer {
			if it.Kind == catalog.KindRegion {
				// Regions are shared reference data (the official ARS
				// list): every portal may load them; ours wins here.
				a.skipped++
				return nil, a.unquarantine(it)
			}
			return nil, a.quarantine(it, fmt.Sprintf("%s %s belongs to %s here", it.Kind, it.ID, cm.Origin), "id", "owned", false)
		}
		if cm.OriginRevision == it.Revision || !a.snapshot && cm.OriginRevision > it.Revision {
			a.skipped++
			return nil, nil
		}
	}
	switch it.Op {
	case OpDelete:
		if cm == nil {
			a.skipped++
			return nil, a.unquarantine(it)
		}
		err := a.tx.Delete(it.Kind, it.ID, a.write)
		switch catalog.ErrorCode(err) {
		case "":
			a.applied++
			return nil, a.unquarantine(it)
		case catalog.EINTERNAL:
			return nil, err
		default:
			return nil, a.quarantineErr(it, err, false)
		}
	case OpPut:
		rec, err := decodeRecord(it)
		if err != nil {
			return nil, a.quarantine(it, err.Error(), "record", "decode", false)
		}
		m := catalog.MetaOf(rec)
		m.OriginRevision = it.Revision
		if svc, ok := rec.(*catalog.Service); ok && svc.RegionKey == "" {
			svc.RegionKey = a.p.peer.RegionKey
		}
		err = a.put(it, rec)
		switch {
		case err == nil:
			return nil, nil
		case onlyMissingRefs(err):
			return &pending{it: it, rec: rec, err: err}, nil
		case catalog.ErrorCode(err) == catalog.EINTERNAL:
			return nil, err
		default:
			return nil, a.quarantineErr(it, err, false)
		}
	default:
		return nil, a.quarantine(it, fmt.Sprintf("unknown op %q", it.Op), "op", "enum", false)
	}
}

// put writes a decoded record; on success the record leaves quarantine.
func (a *applier) put(it *Item, rec catalog.Record) error {
	if err := a.tx.Put(rec, a.write); err != nil {
		return err
	}
	a.applied++
	return a.unquarantine(it)
}

// onlyMissingRefs reports an INVALID error whose every rule is "exists":
// the record is fine but refers to one that is not here (yet).
func onlyMissingRefs(err error) bool {
	var es catalog.Errors
	if errors.As(err, &es) && len(es) > 0 {
		for _, e := range es {
			if e.Code != catalog.EINVALID || e.Rule != "exists" {
				return false
			}
		}
		return true
	}
	var e *catalog.Error
	return errors.As(err, &e) && e.Code == catalog.EINVALID && e.Rule == "exists"
}

func (a *applier) quarantineErr(it *Item, err error, retry bool) error {
	if catalog.ErrorCode(err) == catalog.EINTERNAL {
		return err
	}
	var field, rule string
	var e *catalog.Error
	if errors.As(err, &e) {
		field, rule = e.Field, e.Rule
	}
	return a.quarantine(it, err.Error(), field, rule, retry)
}

func (a *applier) quarantine(it *Item, reason, field, rule string, retry bool) error {
	a.quarantined++
	return a.p.quarantine(a.tx, QuarantineEntry{Peer: a.p.peer.ID, Kind: it.Kind, ID: it.ID, Revision: it.Revision, Reason: reason,
		Field: field, Rule: rule, Retry: retry, Time: a.now, Item: *it})
}

// quarantine stores the entry of a record of the peer that is not
// mirrored, with the reason, in place of an earlier one.
func (p *Puller) quarantine(tx *catalog.Tx, q QuarantineEntry) error {
	data, err := json.Marshal(q)
	if err != nil {
		return catalog.Internal(err)
	}
	p.log.Warn("record quarantined", "kind", q.Kind, "id", q.ID, "revision", q.Revision, "reason", q.Reason)
	return tx.SetPeerData(recordKey(keyQuarantine, p.peer.ID, q.Kind, q.ID), data)
}

func (a *applier) unquarantine(it *Item) error {
	k := recordKey(keyQuarantine, a.p.peer.ID, it.Kind, it.ID)
	if a.tx.PeerData(k) == nil {
		return nil
	}
	return a.tx.DeletePeerData(k)
}

// retryQuarantine tries again up to n quarantined records that only lacked
// a record they refer to.
func (a *applier) retryQuarantine(n int) error {
	var items []Item
	err := a.tx.EachPeerData(keyQuarantine+a.p.peer.ID+"/", func(_ string, v []byte) error {
		var q QuarantineEntry
		if err := json.Unmarshal(v, &q); err != nil {
			return catalog.Internal(err)
		}
		if q.Retry && len(items) < n {
			items = append(items, q.Item)
		}
		return nil
	})
	if err != nil || len(items) == 0 {
		return err
	}
	// Records of dependent kinds come after what they refer to.
	slices.SortStableFunc(items, func(x, y Item) int { return kindIndex(x.Kind) - kindIndex(y.Kind) })
	before := a.applied
	if err := a.apply(items); err != nil {
		return err
	}
	if a.applied > before {
		a.p.log.Info("quarantined records applied on retry", "count", a.applied-before)
	}
	return nil
}

// resync replaces the peer's mirrored records with its snapshot: stage
// every page (resumably, in the store), verify count and digest against
// the signed manifest, refuse a snapshot that would delete too much, then
// swap in one transaction and continue the feed from the manifest's cursor.
func (p *Puller) resync(ctx context.Context) error {
	p.setState(StateResyncing)
	id := p.peer.ID
	var ss *stagingState
	err := p.st.View(ctx, func(tx *catalog.Tx) error {
		if v := tx.PeerData(keySnapshot + id); v != nil {
			ss = &stagingState{}
			return json.Unmarshal(v, ss)
		}
		return nil
	})
	if err != nil {
		return catalog.Internal(err)
	}
	if ss == nil {
		// Items a finished snapshot left behind go before a new staging
		// begins, in batches (the fresh staging's own clearing is one
		// transaction).
		if _, err := p.cleanStaging(ctx); err != nil {
			return err
		}
		// The publisher reads every record for the manifest: give it
		// ManifestTimeout rather than a page's RequestTimeout.
		body, _, err := p.get(ctx, PathSnapshot, nil, max(0, ManifestTimeout-p.opt.RequestTimeout))
		if err != nil {
			if errors.Is(err, errGone) {
				return fmt.Errorf("GET %s: peer answered 410 Gone for its manifest", PathSnapshot)
			}
			return err
		}
		m, err := DecodeManifest(body)
		if err != nil {
			return refuse("%v", err)
		}
		if m.Portal != id {
			return refuse("manifest is from portal %q, not %q", m.Portal, id)
		}
		ss = &stagingState{Manifest: *m, Next: m.First}
		if err := p.saveStaging(ctx, ss, nil, true); err != nil {
			return err
		}
		p.log.Info("snapshot staging started", "revision", m.Revision, "count", m.Count)
	}
	m := &ss.Manifest
	// A resync of a large peer takes minutes: say how far it got now and
	// then (long operations show progress).
	staged, lastLog, stageStart := 0, time.Now(), time.Now()
	// The next page is fetched (the publisher reads and signs it, this
	// side decodes and verifies it) while the one before is written to
	// the staging: two cores work instead of one. Only pages in order are
	// staged, each with the token after it, so a restart still resumes at
	// the first page not staged.
	fetchCtx, stopFetching := context.WithCancel(ctx)
	defer stopFetching()
	pages := make(chan fetchedPage, 1)
	go p.fetchSnapshotPages(fetchCtx, m, ss.Next, pages)
	for f := range pages {
		if errors.Is(f.err, errGone) {
			p.discardStaging(ctx)
			return fmt.Errorf("the peer's snapshot at revision %d expired while staging; starting over", m.Revision)
		}
		if f.err != nil {
			return f.err // staging is kept; the next attempt resumes here
		}
		ss.Next = f.page.Next
		if err := p.saveStaging(ctx, ss, f.page.Items, false); err != nil {
			return err
		}
		staged += len(f.page.Items)
		if time.Since(lastLog) >= 10*time.Second {
			lastLog = time.Now()
			p.log.Info("snapshot staging", "revision", m.Revision, "staged", staged, "count", m.Count,
				"perSecond", int(float64(staged)/time.Since(stageStart).Seconds()))
		}
	}
	if ss.Next != "" { // the fetcher stopped without a page or an error: ctx ended
		if err := ctx.Err(); err != nil {
			return err
		}
		return errors.New("snapshot staging stopped before the last page")
	}
	// Verify what was staged against the manifest before touching records.
	var sum stagedSummary
	var shrunk error
	err = p.st.View(ctx, func(tx *catalog.Tx) error {
		var err error
		if sum, err = summariseStaging(tx, id); err != nil {
			return err
		}
		shrunk = p.shrinkRefusal(tx, stagedIn(tx, id), "snapshot")
		return nil
	})
	if err != nil {
		return err
	}
	if sum.count != m.Count {
		p.discardStaging(ctx)
		return refuse("snapshot refused: %d records received, the manifest says %d; nothing was deleted", sum.count, m.Count)
	}
	if sum.digest != m.Digest {
		p.discardStaging(ctx)
		return refuse("snapshot refused: digest %s does not match the manifest's %s; nothing was deleted", sum.digest, m.Digest)
	}
	if shrunk != nil {
		p.discardStaging(ctx)
		return shrunk
	}
	res, err := p.swap(ctx, ss, sum.kinds)
	if err != nil {
		return err
	}
	p.log.Info("snapshot swapped in", "revision", m.Revision, "count", m.Count, "applied", res.applied, "deleted", res.deleted,
		"took_ms", float64(res.took.Microseconds())/1000, "commits_ms", float64(res.commits.Microseconds())/1000)
	p.succeeded(applyResult{cursor: m.Cursor, applied: res.applied, skipped: res.skipped,
		quarantined: res.quarantined, resynced: true, resyncs: res.resyncs}, m.Revision, nil)
	// The staged items are no longer needed: Run removes them in the
	// background while it follows the feed again (Sync before it
	// returns), so that the peer's writes are not held up by millions
	// of deletions.
	p.wakeCleanup()
	return nil
}

// fetchedPage is a snapshot page fetched and checked, or why not.
type fetchedPage struct {
	page *SnapshotPage
	err  error
}

// fetchSnapshotPages fetches the snapshot's pages from the token first
// on, in order, checks each against the manifest and sends it on out; it
// stops after the last page, after sending an error, or when ctx ends,
// and closes out.
func (p *Puller) fetchSnapshotPages(ctx context.Context, m *Manifest, first string, out chan<- fetchedPage) {
	defer close(out)
	for next := first; next != ""; {
		page, err := p.snapshotPage(ctx, m, next)
		select {
		case out <- fetchedPage{page, err}:
		case <-ctx.Done():
			return
		}
		if err != nil {
			return
		}
		next = page.Next
	}
}

// snapshotPage fetches the snapshot page asked and checks that it answers
// that request of this manifest.
func (p *Puller) snapshotPage(ctx context.Context, m *Manifest, asked string) (*SnapshotPage, error) {
	q := url.Values{"page": {asked}, "limit": {strconv.Itoa(p.opt.PageLimit)}}
	body, _, err := p.get(ctx, PathSnapshot, q, 0)
	if err != nil {
		return nil, err
	}
	page, err := DecodeSnapshotPage(body)
	if err != nil {
		return nil, refuse("%v", err)
	}
	switch {
	case page.Portal != p.peer.ID:
		return nil, refuse("snapshot page is from portal %q, not %q", page.Portal, p.peer.ID)
	case page.Revision != m.Revision:
		return nil, refuse("snapshot page is at revision %d, the manifest at %d", page.Revision, m.Revision)
	case page.Page != asked:
		return nil, refuse("snapshot page answers another page token")
	}
	return page, nil
}

// shrinkRefusal is the refusal of a snapshot of the peer (what: the
// snapshot or XZuFi index) that holds only the records keep reports
// when it would delete more than MaxShrink of those mirrored from the
// peer: a peer that lost its data must not empty ours. Nil otherwise.
func (p *Puller) shrinkRefusal(tx *catalog.Tx, keep func(catalog.Kind, string) bool, what string) error {
	var current, deletions int
	tx.EachOfOrigin(p.peer.ID, "", "", func(k catalog.Kind, id string) bool {
		current++
		if !keep(k, id) {
			deletions++
		}
		return true
	})
	if current > 0 && float64(deletions) > p.opt.MaxShrink*float64(current) {
		return refuse("%s refused: it would delete %d of the %d records mirrored from %s (more than %.0f%%); nothing was applied or deleted",
			what, deletions, current, p.peer.ID, p.opt.MaxShrink*100)
	}
	return nil
}

// saveStaging writes a staged page and the staging state in one
// transaction; fresh clears earlier staging first.
func (p *Puller) saveStaging(ctx context.Context, ss *stagingState, items []Item, fresh bool) error {
	id := p.peer.ID
	return p.st.Update(ctx, func(tx *catalog.Tx) error {
		if err := p.configured(tx); err != nil {
			return err
		}
		tx.FillAppendedPages() // staged items arrive in key order
		if fresh {
			if err := deletePrefix(tx, keyStaging+id+"/"); err != nil {
				return err
			}
		}
		for i := range items {
			// bbolt keeps the value until the commit: a buffer per item.
			data := encodeStaged(make([]byte, 0, 48+len(items[i].Record)), &items[i])
			if err := tx.SetPeerData(recordKey(keyStaging, id, items[i].Kind, items[i].ID), data); err != nil {
				return err
			}
		}
		data, err := json.Marshal(ss)
		if err != nil {
			return catalog.Internal(err)
		}
		return tx.SetPeerData(keySnapshot+id, data)
	})
}

// discardStaging abandons the snapshot being staged: without its
// snapshot/<peer> key its items are left over, and they are removed in
// batches (cleanup.go) rather than in one transaction.
func (p *Puller) discardStaging(ctx context.Context) {
	id := p.peer.ID
	err := p.st.Update(context.WithoutCancel(ctx), func(tx *catalog.Tx) error {
		return tx.DeletePeerData(keySnapshot + id)
	})
	if err == nil {
		_, err = p.cleanStaging(context.WithoutCancel(ctx))
	}
	if err != nil {
		p.log.Error("discarding snapshot staging", "err", err)
	}
}

type swapResult struct {
	applied, skipped, quarantined, deleted, resyncs int
	// took is the whole swap; commits the part of it its batch
	// transactions spent committing (bbolt's page splits, writes and
	// sync), after the records were applied.
	took, commits time.Duration
}

// errStopWalk ends a walk over keys early.
var errStopWalk = errors.New("stop")

// swap applies the verified staged snapshot: every staged record, kinds in
// the given (dependency) order, in transactions of SwapBatch records, each
// of which also saves how far the swap got, so that a restart resumes there
// (re-applying a record is idempotent). Then one transaction deletes the
// peer's records the snapshot does not contain, drops their quarantine
// entries and the staging state, and sets the cursor to the manifest's;
// the staged items are removed after it, in the background (cleanup.go).
//
// Why batches: bbolt splits the nodes a transaction grew only when it
// commits. One transaction that inserts a whole snapshot into an empty
// mirror grows each index bucket's leaf to all its keys, and every insert
// moves half of that leaf: quadratic. M (520,036 records) took over ten
// minutes in one transaction; L would take hours and hold the whole
// snapshot in memory.
func (p *Puller) swap(ctx context.Context, ss *stagingState, kinds []catalog.Kind) (swapResult, error) {
	id := p.peer.ID
	prefix := keyStaging + id + "/"
	// current returns the staging state if it is still the verified one.
	current := func(tx *catalog.Tx) (*stagingState, error) {
		if err := p.configured(tx); err != nil {
			return nil, err
		}
		cur := tx.PeerData(keySnapshot + id)
		var now stagingState
		if cur == nil || json.Unmarshal(cur, &now) != nil || now.Next != "" || now.Manifest.Revision != ss.Manifest.Revision ||
			now.Manifest.Digest != ss.Manifest.Digest || now.Manifest.First != ss.Manifest.First {
			return nil, errors.New("the snapshot staging changed meanwhile")
		}
		return &now, nil
	}
	var res swapResult
	start := time.Now()
	lastLog := start
	for {
		var batch swapResult
		var more bool
		var applied time.Time
		err := p.st.Update(ctx, func(tx *catalog.Tx) error {
			defer func() { applied = time.Now() }()
			batch, more = swapResult{}, false
			now, err := current(tx)
			if err != nil {
				return err
			}
			var items []Item
			first, after := 0, ""
			if now.Applied != "" {
				kk, _, _ := strings.Cut(now.Applied, "\t")
				first, after = max(0, slices.Index(kinds, catalog.Kind(kk))), prefix+now.Applied
			}
			last := now.Applied
			for i := first; i < len(kinds) && len(items) < p.opt.SwapBatch; i++ {
				from := ""
				if i == first {
					from = after
				}
				err := tx.EachPeerDataAfter(prefix+string(kinds[i])+"\t", from, func(k string, v []byte) error {
					if len(items) == p.opt.SwapBatch {
						return errStopWalk
					}
					last = k[len(prefix):]
					kind, rid, _ := strings.Cut(last, "\t")
					it, err := decodeStaged(kind, rid, v)
					if err != nil {
						return catalog.Internal(err)
					}
					items = append(items, it)
					return nil
				})
				if err != nil && !errors.Is(err, errStopWalk) {
					return err
				}
			}
			if len(items) == 0 {
				return nil
			}
			more = len(items) == p.opt.SwapBatch
			// A snapshot comes in ID order per kind: its records, their
			// history and log entries are appended.
			tx.FillAppendedPages(kinds...)
			if now.Applied == "" {
				// Into a mirror that holds nothing of the peer, the swap
				// writes the records' index entries last, sorted
				// (catalog.Write.DeferIndexes): readers meet an
				// incomplete mirror during a first resync either way.
				now.Bulk = !tx.HasRecordsOfOrigin(id)
			}
			a := p.applier(tx, true)
			a.write.DeferIndexes = now.Bulk
			if err := a.apply(items); err != nil {
				return err
			}
			// The applied items' records are not needed again: keep
			// their heads only (the digest, the final deletions and a
			// resumed swap need no more), so that the store reuses the
			// space for the swap's own writes instead of growing by the
			// whole staging (5 GB at L) until the cleanup.
			for i := range items {
				head := items[i]
				head.Record = nil
				if err := tx.SetPeerData(recordKey(keyStaging, id, head.Kind, head.ID), encodeStaged(nil, &head)); err != nil {
					return err
				}
			}
			now.Applied = last
			data, err := json.Marshal(now)
			if err != nil {
				return catalog.Internal(err)
			}
			batch = swapResult{applied: a.applied, skipped: a.skipped}
			return tx.SetPeerData(keySnapshot+id, data)
		})
		if err != nil {
			return res, err // the staging and its progress are kept: the next attempt resumes
		}
		res.applied += batch.applied
		res.skipped += batch.skipped
		res.commits += time.Since(applied)
		if p.afterSwapBatch != nil {
			p.afterSwapBatch()
		}
		if !more {
			break
		}
		if time.Since(lastLog) >= 10*time.Second {
			lastLog = time.Now()
			p.log.Info("snapshot swap", "revision", ss.Manifest.Revision, "applied", res.applied, "skipped", res.skipped,
				"count", ss.Manifest.Count)
		}
	}
	if n, err := p.st.BuildDeferredIndexes(ctx, id); err != nil {
		return res, err
	} else if n > 0 {
		p.log.Info("snapshot swap: index entries written", "revision", ss.Manifest.Revision, "entries", n)
	}
	err := p.st.Update(ctx, func(tx *catalog.Tx) error {
		now, err := current(tx)
		if err != nil {
			return err
		}
		// Records that waited for one a later batch brought (not as a
		// snapshot: a version older than the one stored stays unapplied).
		a := p.applier(tx, false)
		if err := a.retryQuarantine(p.opt.SwapBatch); err != nil {
			return err
		}
		keep := stagedIn(tx, id)
		n := 0
		if !now.Bulk {
			// A swap into a mirror without records of the peer wrote
			// all there are (nobody else writes them): none to delete,
			// and no need to look up 5 million at L.
			if n, err = deleteOrigin(tx, id, keep, a.write.Actor, "federation resync: not in the snapshot"); err != nil {
				return err
			}
		}
		// Quarantine entries of records the snapshot no longer has.
		var stale []string
		qp := keyQuarantine + id + "/"
		tx.EachPeerData(qp, func(k string, _ []byte) error {
			if kind, rid, _ := strings.Cut(k[len(qp):], "\t"); !keep(catalog.Kind(kind), rid) {
				stale = append(stale, k)
			}
			return nil
		})
		for _, k := range stale {
			if err := tx.DeletePeerData(k); err != nil {
				return err
			}
		}
		if err := tx.DeletePeerData(keySnapshot + id); err != nil {
			return err
		}
		s, err := loadState(tx, id)
		if err != nil {
			return err
		}
		s.Cursor, s.Revision, s.Updated = ss.Manifest.Cursor, ss.Manifest.Revision, p.opt.Now().UTC()
		s.Resyncs++
		s.LastResync = s.Updated
		if err := saveState(tx, id, s); err != nil {
			return err
		}
		res.applied += a.applied
		res.deleted, res.resyncs, res.quarantined = n, s.Resyncs, countPrefix(tx, qp)
		return nil
	})
	res.took = time.Since(start)
	return res, err
}
