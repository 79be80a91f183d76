package federation

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Peer is another portal whose feed this portal mirrors.
type Peer struct {
	// ID is the peer's portal ID ("BY"): the origin of its records.
	ID string `json:"id"`
	// URL is the base URL of the peer's portal ("https://lf.bayern.de").
	URL string `json:"url"`
	// Token is the bearer token (role PEER) the peer issued to us. It is
	// kept in the store: a backup of the store holds it.
	Token string `json:"token"`
	// PublicKey verifies the peer's signatures: a JWK, a JWK Set, a PEM
	// public key or the raw key in base64 (ParsePublicKeys).
	PublicKey string `json:"publicKey"`
	// RegionKey is the ARS of the peer's area (Bavaria "090000000000", the
	// Bund "000000000000"); mirrored services without one get it.
	RegionKey string `json:"regionKey"`
	// Kind is how the peer publishes: KindFeed (the signed change feed of
	// another Leistungsfinder, the default) or KindXZuFi (an index.txt of
	// XZuFi 2.2 files at URL, as a state's editorial system hands its
	// catalogue to the gateway; no token, no key).
	Kind string `json:"kind,omitempty"`
}

// Peer kinds.
const (
	KindFeed  = "feed"
	KindXZuFi = "xzufi"
)

// Keys of the federation's space in the store (catalog PeerData). doc.go
// lists them.
const (
	keyPeer       = "peer/"       // peer/<id> -> Peer
	keyState      = "state/"      // state/<id> -> peerState
	keyQuarantine = "quarantine/" // quarantine/<id>/<kind>\t<recordID> -> QuarantineEntry
	keyStaging    = "staging/"    // staging/<id>/<kind>\t<recordID> -> Item
	keySnapshot   = "snapshot/"   // snapshot/<id> -> stagingState
	keyXZuFi      = "xzufi/"      // xzufi/<id> -> xzufiProgress
)

func recordKey(prefix, peer string, k catalog.Kind, id string) string {
	return prefix + peer + "/" + string(k) + "\t" + id
}

// peerState is what a puller keeps between runs; it is written in the
// transaction that applies a page.
type peerState struct {
	Cursor     string    `json:"cursor"`
	Revision   uint64    `json:"revision"`
	Updated    time.Time `json:"updated,omitzero"`
	Resyncs    int       `json:"resyncs,omitempty"`
	LastResync time.Time `json:"lastResync,omitzero"`
}

// stagingState tracks a snapshot being staged, so that a resync resumes
// after a restart.
type stagingState struct {
	Manifest Manifest `json:"manifest"`
	Next     string   `json:"next"`
	// Applied is the last staged item ("kind TAB id") the swap applied,
	// once it has begun; it resumes after it.
	Applied string `json:"applied,omitempty"`
	// Bulk: the swap began in a mirror without records of the peer, and
	// writes their index entries after the records (see swap).
	Bulk bool `json:"bulk,omitempty"`
}

// QuarantineEntry is a record of a peer that could not be applied, with
// the reason. It stays until a later version or a tombstone of the record
// arrives, or a resync no longer contains it.
type QuarantineEntry struct {
	Peer     string       `json:"peer"`
	Kind     catalog.Kind `json:"kind"`
	ID       string       `json:"id"`
	Revision uint64       `json:"revision"`
	Reason   string       `json:"reason"`
	Field    string       `json:"field,omitempty"`
	Rule     string       `json:"rule,omitempty"`
	// Retry is set when the record only lacked a record it refers to; it
	// is tried again when later pages bring more records.
	Retry bool      `json:"retry,omitempty"`
	Time  time.Time `json:"time"`
	Item  Item      `json:"item"`
}

// validate checks a peer configuration and normalises its URL.
func (p *Peer) validate(self string) error {
	var errs catalog.Errors
	p.ID = strings.TrimSpace(p.ID)
	p.URL = strings.TrimRight(strings.TrimSpace(p.URL), "/")
	if !validPortal(p.ID) {
		errs = append(errs, catalog.Invalid("id", "format", "a peer ID is its portal ID: 1 to 32 letters, digits, - or _"))
	} else if p.ID == self {
		errs = append(errs, catalog.Invalid("id", "self", "%q is this portal's own ID", p.ID))
	}
	if u, err := url.Parse(p.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" {
		errs = append(errs, catalog.Invalid("url", "url", "%q is not an http(s) base URL", p.URL))
	}
	if p.Kind == "" {
		p.Kind = KindFeed
	}
	switch p.Kind {
	case KindFeed:
		if strings.TrimSpace(p.Token) == "" {
			errs = append(errs, catalog.Invalid("token", "required", "the peer token is required"))
		}
		if _, err := ParsePublicKeys(p.PublicKey); err != nil {
			errs = append(errs, catalog.Invalid("publicKey", "format", "%v", err))
		}
	case KindXZuFi:
	default:
		errs = append(errs, catalog.Invalid("kind", "enum", "%q is not a peer kind: feed or xzufi", p.Kind))
	}
	if !catalog.ValidARS(p.RegionKey) {
		errs = append(errs, catalog.Invalid("regionKey", "format", "%q is not a 12-digit region key (ARS)", p.RegionKey))
	}
	return errs.Err()
}

// AddPeer adds a peer or replaces the configuration of the peer with the
// same ID; its cursor and quarantine are kept.
//
// Errors: INVALID.
func AddPeer(ctx context.Context, st *catalog.Store, p Peer) (*Peer, error) {
	if err := p.validate(st.Portal()); err != nil {
		return nil, err
	}
	data, err := json.Marshal(p)
	if err != nil {
		return nil, catalog.Internal(err)
	}
	if err := st.Update(ctx, func(tx *catalog.Tx) error { return tx.SetPeerData(keyPeer+p.ID, data) }); err != nil {
		return nil, err
	}
	return &p, nil
}

// Peers returns the configured peers in ID order.
//
// Errors: INTERNAL.
func Peers(ctx context.Context, st *catalog.Store) ([]Peer, error) {
	var out []Peer
	err := st.View(ctx, func(tx *catalog.Tx) error {
		return tx.EachPeerData(keyPeer, func(_ string, v []byte) error {
			var p Peer
			if err := json.Unmarshal(v, &p); err != nil {
				return catalog.Internal(err)
			}
			out = append(out, p)
			return nil
		})
	})
	return out, err
}

// RemovePeer removes a peer's configuration, cursor, quarantine, staging
// and the progress of an XZuFi snapshot being applied.
// Its mirrored records stay (read-only, no longer updated) unless purge is
// set: then they are deleted in the same transaction.
//
// Errors: NOT_FOUND.
func RemovePeer(ctx context.Context, st *catalog.Store, id string, purge bool) error {
	err := st.Update(ctx, func(tx *catalog.Tx) error {
		if tx.PeerData(keyPeer+id) == nil {
			return catalog.Errorf(catalog.ENOTFOUND, "peer %q not found", id)
		}
		for _, prefix := range []string{keyQuarantine + id + "/", keyStaging + id + "/"} {
			if err := deletePrefix(tx, prefix); err != nil {
				return err
			}
		}
		for _, k := range []string{keyPeer + id, keyState + id, keySnapshot + id, keyXZuFi + id} {
			if err := tx.DeletePeerData(k); err != nil {
				return err
			}
		}
		if !purge {
			return nil
		}
		_, err := deleteOrigin(tx, id, nil, "peer:"+id, "peer "+id+" removed")
		return err
	})
	if err != nil {
		return err
	}
	// A first resync that the removal cut short left the records it
	// wrote without their index entries: the kept copies are found by
	// place like any other.
	_, err = st.BuildDeferredIndexes(ctx, id)
	return err
}

// Quarantine returns the quarantined records of a peer in key order.
//
// Errors: INTERNAL.
func Quarantine(ctx context.Context, st *catalog.Store, peer string) ([]QuarantineEntry, error) {
	var out []QuarantineEntry
	err := st.View(ctx, func(tx *catalog.Tx) error {
		return tx.EachPeerData(keyQuarantine+peer+"/", func(_ string, v []byte) error {
			var q QuarantineEntry
			if err := json.Unmarshal(v, &q); err != nil {
				return catalog.Internal(err)
			}
			out = append(out, q)
			return nil
		})
	})
	return out, err
}

// deletePrefix removes every key of the federation space with a prefix.
func deletePrefix(tx *catalog.Tx, prefix string) error {
	_, err := deletePrefixSome(tx, prefix, -1)
	return err
}

// deletePrefixSome removes the first limit keys of the federation space
// with a prefix (all if limit < 0) and returns how many it removed.
func deletePrefixSome(tx *catalog.Tx, prefix string, limit int) (int, error) {
	var keys []string
	err := tx.EachPeerData(prefix, func(k string, _ []byte) error {
		if len(keys) == limit {
			return errStopWalk
		}
		keys = append(keys, k)
		return nil
	})
	if err != nil && !errors.Is(err, errStopWalk) {
		return 0, err
	}
	for _, k := range keys {
		if err := tx.DeletePeerData(k); err != nil {
			return 0, err
		}
	}
	return len(keys), nil
}

func countPrefix(tx *catalog.Tx, prefix string) int {
	n := 0
	tx.EachPeerData(prefix, func(string, []byte) error { n++; return nil })
	return n
}

// deleteOrigin deletes the current records of an origin that keep does not
// report (nil keep deletes all), dependents first. It walks the origin's
// records in chunks of deleteChunk instead of listing them, so memory stays
// bounded however many the origin has. It returns how many it deleted.
func deleteOrigin(tx *catalog.Tx, origin string, keep func(catalog.Kind, string) bool, actor, reason string) (int, error) {
	var pos deletePos
	n, _, err := deleteOriginSome(tx, origin, keep, actor, reason, &pos, -1)
	return n, err
}

// deletePos is how far a walk over an origin's records for deletions got:
// the kind (counted from the last of snapshotKinds, dependents first) and
// the last ID passed in it.
type deletePos struct {
	Kind  int    `json:"kind"`
	After string `json:"after,omitempty"`
}

// deleteOriginSome is deleteOrigin from pos on, stopping once it deleted
// limit records (no limit if < 0); pos is then where to go on. done
// reports that the walk reached the end.
func deleteOriginSome(tx *catalog.Tx, origin string, keep func(catalog.Kind, string) bool, actor, reason string, pos *deletePos, limit int) (n int, done bool, err error) {
	for ; pos.Kind < len(snapshotKinds); pos.Kind, pos.After = pos.Kind+1, "" {
		k := snapshotKinds[len(snapshotKinds)-1-pos.Kind]
		for {
			chunk := deleteChunk
			if limit >= 0 {
				if n >= limit {
					return n, false, nil
				}
				chunk = min(chunk, limit-n)
			}
			var gone []string
			tx.EachOfOrigin(origin, k, pos.After, func(_ catalog.Kind, id string) bool {
				pos.After = id
				if keep == nil || !keep(k, id) {
					gone = append(gone, id)
				}
				return len(gone) < chunk
			})
			for _, id := range gone {
				err := tx.Delete(k, id, catalog.Write{Mirror: true, Actor: actor, Reason: reason})
				switch catalog.ErrorCode(err) {
				case "":
					n++
				case catalog.ENOTFOUND: // gone with a cascade
				default:
					return n, false, err
				}
			}
			if len(gone) < chunk {
				break
			}
		}
	}
	return n, true, nil
}

// deleteChunk is how many IDs deleteOrigin collects before it deletes.
const deleteChunk = 1024
