package catalog

import (
	"bytes"
	"context"
	"encoding/json"
)

// RuleCompacted is the Rule of the NOT_FOUND errors that ErrCompacted
// matches.
const RuleCompacted = "compacted"

// ErrCompacted matches (errors.Is) the error returned when a reader asks
// for change-log entries that compaction has removed: code NOT_FOUND with
// Rule "compacted". Followers then rebuild from the current state (the
// search index) or resync from the snapshot (the federation feed answers
// 410 Gone with a link to it).
var ErrCompacted = &Error{Code: ENOTFOUND, Rule: RuleCompacted, Message: "the change log was compacted past the revision asked for; resync from the snapshot"}

// FirstRevision returns the first revision still in the change log (1 when
// nothing was compacted).
func (tx *Tx) FirstRevision() uint64 {
	if b := tx.bt.Bucket(bucketMeta).Get(metaFirstRev); b != nil {
		return readU64(b)
	}
	return 1
}

// ChangesSince is Changes that fails with ErrCompacted when entries after
// `after` have been removed by compaction.
func (tx *Tx) ChangesSince(after uint64, limit int) ([]Change, error) {
	if after+1 < tx.FirstRevision() {
		return nil, &Error{Code: ENOTFOUND, Rule: RuleCompacted,
			Message: "the change log before revision " + itoa(tx.FirstRevision()) + " was compacted; resync from the snapshot"}
	}
	return tx.Changes(after, limit)
}

func itoa(n uint64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// Compact removes change-log entries up to and including revision `through`
// and the history versions they wrote that are no longer current, keeping
// the log's tail and every record's current version. Tombstones (delete
// entries) are log entries, so they are kept exactly as long as the log.
// It returns how many log entries were removed.
func (s *Store) Compact(ctx context.Context, through uint64) (int, error) {
	removed := 0
	err := s.Update(ctx, func(tx *Tx) error {
		last := tx.Revision()
		if through >= last {
			return Invalid("through", "range", "compaction must keep the last revision (%d)", last)
		}
		first := tx.FirstRevision()
		logB := tx.bt.Bucket(bucketLog)
		hist := tx.bt.Bucket(bucketHistory)
		for rev := first; rev <= through; rev++ {
			v := logB.Get(u64(rev))
			if v == nil {
				continue
			}
			var c Change
			if err := json.Unmarshal(v, &c); err != nil {
				return Internal(err)
			}
			if c.Op == OpPut {
				cur := tx.raw(c.Kind, c.ID)
				hk := historyKey(c.Kind, c.ID, rev)
				var m Meta
				if cur == nil || json.Unmarshal(cur, &m) != nil || m.Revision != rev {
					if err := hist.Delete(hk); err != nil {
						return Internal(err)
					}
				}
			}
			if err := logB.Delete(u64(rev)); err != nil {
				return Internal(err)
			}
			removed++
		}
		if through+1 > first {
			return tx.bt.Bucket(bucketMeta).Put(metaFirstRev, u64(through+1))
		}
		return nil
	})
	return removed, err
}

// PeerData returns a value of the federation's key-value space, or nil.
// It lives in the store so that applying a page of a peer's feed and
// advancing that peer's cursor commit in one transaction.
func (tx *Tx) PeerData(key string) []byte {
	v := tx.bt.Bucket(bucketPeer).Get([]byte(key))
	if v == nil {
		return nil
	}
	return append([]byte(nil), v...)
}

// FillAppendedPages makes this write transaction fill the pages of the
// buckets that writes in key order append to (the change log, the
// history and the records of the given kinds, the origin index and the
// federation's key space) completely before splitting them, instead of
// bbolt's half: a federation snapshot written in ID order then takes about
// half the pages, and so half the bytes to write. Records inserted later
// between full pages split them as usual.
func (tx *Tx) FillAppendedPages(kinds ...Kind) {
	if !tx.writable {
		return
	}
	for _, name := range [][]byte{bucketLog, bucketHistory, idxOrigin, bucketPeer} {
		tx.bt.Bucket(name).FillPercent = 1
	}
	for _, k := range kinds {
		if b := tx.bt.Bucket(recordBucket(k)); b != nil {
			b.FillPercent = 1
		}
	}
}

// HasPeerData reports whether the federation's key-value space holds a
// key, without copying its value.
func (tx *Tx) HasPeerData(key string) bool {
	return tx.bt.Bucket(bucketPeer).Get([]byte(key)) != nil
}

// SetPeerData stores a value in the federation's key-value space.
func (tx *Tx) SetPeerData(key string, value []byte) error {
	if err := tx.bt.Bucket(bucketPeer).Put([]byte(key), value); err != nil {
		return Internal(err)
	}
	return nil
}

// DeletePeerData removes a key of the federation's key-value space.
func (tx *Tx) DeletePeerData(key string) error {
	if err := tx.bt.Bucket(bucketPeer).Delete([]byte(key)); err != nil {
		return Internal(err)
	}
	return nil
}

// EachPeerData calls fn for every key with the given prefix, in key order.
func (tx *Tx) EachPeerData(prefix string, fn func(key string, value []byte) error) error {
	return tx.EachPeerDataAfter(prefix, "", fn)
}

// EachPeerDataAfter is EachPeerData from the first key after `after` (a
// key with the prefix; "" from the first): it seeks, so that resuming a
// long walk costs nothing for the keys already passed.
func (tx *Tx) EachPeerDataAfter(prefix, after string, fn func(key string, value []byte) error) error {
	b := tx.bt.Bucket(bucketPeer)
	c := b.Cursor()
	start := prefix
	if after > prefix {
		start = after
	}
	k, v := c.Seek([]byte(start))
	if k != nil && after != "" && string(k) == after {
		k, v = c.Next()
	}
	for ; k != nil && bytes.HasPrefix(k, []byte(prefix)); k, v = c.Next() {
		if err := fn(string(k), v); err != nil {
			return err
		}
	}
	return nil
}

// RecordIDsOfOrigin returns the kinds and IDs of all current records that
// came from an origin, for a snapshot swap or a consistency report.
func (tx *Tx) RecordIDsOfOrigin(origin string) map[Kind][]string {
	out := map[Kind][]string{}
	prefix := join(origin, "")
	tx.scanKeys(idxOrigin, prefix, func(k []byte) bool {
		rest := k[len(prefix):]
		for i, c := range rest {
			if c == 0 {
				kind := Kind(rest[:i])
				out[kind] = append(out[kind], string(rest[i+1:]))
				break
			}
		}
		return true
	})
	return out
}

// RevisionOf returns the revision of the current record (kind, id), or
// false if there is none. It reads only the head of the stored encoding,
// where the record's meta comes first, instead of decoding the record: the
// federation manifest asks it for every record of the portal (5 million
// at L).
func (tx *Tx) RevisionOf(k Kind, id string) (uint64, bool, error) {
	raw := tx.raw(k, id)
	if raw == nil {
		return 0, false, nil
	}
	if rev, ok := revisionFromHead(raw); ok {
		return rev, true, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err == nil && t == json.Delim('{') {
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				break
			}
			if key == "rev" {
				var rev uint64
				if err := dec.Decode(&rev); err != nil {
					return 0, false, Internal(err)
				}
				return rev, true, nil
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				break
			}
		}
	}
	var m struct {
		Revision uint64 `json:"rev"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return 0, false, Internal(err)
	}
	return m.Revision, true, nil
}

// revisionFromHead reads the revision from the head of a record's
// encoding as the store writes it, {"id":"…","origin":"…","rev":N,…
// (Meta's first fields), without a decoder: for 5 million records the
// decoder's allocations were most of a manifest. Anything else, such as
// an escape in the ID, is left to the decoder (false).
func revisionFromHead(raw []byte) (uint64, bool) {
	rest, ok := bytes.CutPrefix(raw, []byte(`{"id":"`))
	if !ok {
		return 0, false
	}
	for _, next := range [][]byte{[]byte(`","origin":"`), []byte(`","rev":`)} {
		end := bytes.IndexByte(rest, '"')
		if end < 0 || bytes.IndexByte(rest[:end], '\\') >= 0 {
			return 0, false
		}
		if rest, ok = bytes.CutPrefix(rest[end:], next); !ok {
			return 0, false
		}
	}
	var rev uint64
	n := 0
	for ; n < len(rest) && n < 20 && rest[n] >= '0' && rest[n] <= '9'; n++ {
		rev = rev*10 + uint64(rest[n]-'0')
	}
	if n == 0 || n == 20 || n == len(rest) || rest[n] != ',' && rest[n] != '}' {
		return 0, false
	}
	return rev, true
}
