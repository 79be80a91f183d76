package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Check walks the whole store and reports every disagreement between
// records, indexes, history and change log: a missing or dangling index
// entry, a current version absent from history, a gap in the log, a record
// newer than the log, a responsibility pointing nowhere. Tests run it after
// every store test; operators run `leistungsfinder check`.
func (s *Store) Check() (err error) {
	defer guardFaults()()
	defer recoverDamage(&err)
	var problems []error
	report := func(format string, args ...any) {
		if len(problems) < 50 {
			problems = append(problems, fmt.Errorf(format, args...))
		}
	}
	err = s.db.View(func(bt *bolt.Tx) error {
		tx := &Tx{bt: bt, s: s}
		if meta := bt.Bucket(bucketMeta); meta == nil || meta.Get(metaSchema) == nil {
			return errors.New("no schema version: this is not a Leistungsfinder store")
		}
		for _, b := range append([][]byte{bucketLog, bucketHistory}, indexBuckets...) {
			if bt.Bucket(b) == nil {
				return fmt.Errorf("bucket %s is missing", b)
			}
		}
		last := bt.Bucket(bucketLog).Sequence()
		expected := map[string]bool{}
		// A mirror's first load writes index entries last (deferred.go):
		// until then its records' entries are missing, not damaged.
		deferred := tx.deferredOrigins()
		for _, k := range Kinds {
			err := bt.Bucket(recordBucket(k)).ForEach(func(key, v []byte) error {
				r, _ := NewRecord(k)
				if err := json.Unmarshal(v, r); err != nil {
					report("%s %s: undecodable: %v", k, key, err)
					return nil
				}
				m := r.meta()
				if m.ID != string(key) {
					report("%s %s: stored under key %q", k, m.ID, key)
				}
				if m.Revision == 0 || m.Revision > last {
					report("%s %s: revision %d outside the log (last %d)", k, m.ID, m.Revision, last)
				}
				if h := bt.Bucket(bucketHistory).Get(historyKey(k, m.ID, m.Revision)); !bytes.Equal(h, v) {
					report("%s %s: current version %d missing from history", k, m.ID, m.Revision)
				}
				for _, ik := range r.indexKeys() {
					expected[string(ik.bucket)+"\x00"+string(ik.key)] = true
					if bt.Bucket(ik.bucket).Get(ik.key) == nil && !hasKey(bt.Bucket(ik.bucket), ik.key) &&
						(!deferred[m.Origin] || bytes.Equal(ik.bucket, idxOrigin)) {
						report("%s %s: index %s lacks %q", k, m.ID, ik.bucket, ik.key)
					}
				}
				for _, rf := range r.refs() {
					if rf.id != "" && tx.raw(rf.kind, rf.id) == nil {
						report("%s %s: %s points to missing %s %s", k, m.ID, rf.field, rf.kind, rf.id)
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		for _, b := range indexBuckets {
			err := bt.Bucket(b).ForEach(func(key, _ []byte) error {
				if !expected[string(b)+"\x00"+string(key)] {
					report("index %s: dangling entry %q", b, key)
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		want := tx.FirstRevision()
		err := bt.Bucket(bucketLog).ForEach(func(key, v []byte) error {
			rev := readU64(key)
			if rev != want {
				report("change log: revision %d follows %d", rev, want-1)
			}
			var c Change
			if err := json.Unmarshal(v, &c); err != nil || c.Revision != rev {
				report("change log: entry %d is damaged", rev)
			}
			want = rev + 1
			return nil
		})
		if err != nil {
			return err
		}
		if want-1 != last && !(want == tx.FirstRevision() && last == want-1) {
			report("change log: last entry %d, sequence %d", want-1, last)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return errors.Join(problems...)
}

// hasKey reports whether key exists with an empty value (bbolt's Get
// returns nil for both a missing key and an empty value).
func hasKey(b *bolt.Bucket, key []byte) bool {
	k, _ := b.Cursor().Seek(key)
	return bytes.Equal(k, key)
}
