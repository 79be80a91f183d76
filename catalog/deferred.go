package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"time"
)

// A mirror's first load (a federation snapshot swapped into an empty
// mirror: 5 million records at L) writes its records in ID order, which
// bbolt appends cheaply. Their secondary index entries would land all over
// every index instead, dirtying most of its pages in every transaction;
// at L that was more than half of the load. With Write.DeferIndexes the
// load writes records, history, change log and origin index only, and
// marks the origin; BuildDeferredIndexes then writes the missing entries
// sorted, index by index, and removes the mark. Check does not count the
// missing entries of a marked origin as damage.

// deferredKey is the meta key that marks an origin awaiting its indexes.
func deferredKey(origin string) []byte { return []byte(metaDeferred + origin) }

// deferIndexes writes only r's origin index entry and marks r's origin.
func (tx *Tx) deferIndexes(r Record) error {
	m := r.meta()
	if !tx.IndexesDeferred(m.Origin) {
		if err := tx.bt.Bucket(bucketMeta).Put(deferredKey(m.Origin), []byte(tx.now.Format(time.RFC3339))); err != nil {
			return Internal(err)
		}
	}
	ok := originKey(m, r.RecordKind())
	if err := tx.bt.Bucket(ok.bucket).Put(ok.key, nil); err != nil {
		return Internal(err)
	}
	return nil
}

// IndexesDeferred reports whether records of origin await their index
// entries (see Write.DeferIndexes).
func (tx *Tx) IndexesDeferred(origin string) bool {
	return tx.bt.Bucket(bucketMeta).Get(deferredKey(origin)) != nil
}

// deferredOrigins lists the origins whose records await index entries.
func (tx *Tx) deferredOrigins() map[string]bool {
	out := map[string]bool{}
	tx.scanKeys(bucketMeta, []byte(metaDeferred), func(k []byte) bool {
		out[string(k[len(metaDeferred):])] = true
		return true
	})
	return out
}

// HasRecordsOfOrigin reports whether any current record came from origin.
func (tx *Tx) HasRecordsOfOrigin(origin string) bool {
	found := false
	tx.EachOfOrigin(origin, "", "", func(Kind, string) bool { found = true; return false })
	return found
}

// deferredBatch is how many index entries one transaction of
// BuildDeferredIndexes writes.
const deferredBatch = 200_000

// BuildDeferredIndexes writes the secondary index entries that records of
// origin were written without (Write.DeferIndexes), then removes the
// origin's mark; without a mark it does nothing. It reads the records in
// one read transaction (decoding on every core), sorts the entries and
// writes them in key order, deferredBatch a transaction. Entries are
// written as they are, so a build cut short is simply run again. Should a
// record of origin change meanwhile (its own write puts its entries), the
// build starts over, so that no entry of an older version is left behind.
// It returns how many entries it wrote.
//
// Errors: INTERNAL, TIMEOUT, and ctx's.
func (s *Store) BuildDeferredIndexes(ctx context.Context, origin string) (int, error) {
	for attempt := 1; ; attempt++ {
		n, changed, err := s.buildDeferredIndexes(ctx, origin)
		if err != nil || !changed {
			return n, err
		}
		if attempt == 3 {
			return n, Internal(fmt.Errorf("the index entries of %s could not be built: its records kept changing", origin))
		}
		s.log.Info("deferred indexes: records changed while building; starting over", "origin", origin)
	}
}

// buildDeferredIndexes is one attempt; changed reports that a record of
// origin changed after the entries were collected.
func (s *Store) buildDeferredIndexes(ctx context.Context, origin string) (written int, changed bool, err error) {
	start := time.Now()
	var runs map[string][]*keyRun
	var from uint64
	records := 0
	err = s.View(ctx, func(tx *Tx) error {
		if !tx.IndexesDeferred(origin) {
			return nil
		}
		from = tx.Revision()
		runs, records, err = collectIndexKeys(ctx, tx, origin)
		return err
	})
	if err != nil || runs == nil {
		return 0, false, err
	}
	total := 0
	for _, rs := range runs {
		for _, r := range rs {
			total += len(r.keys)
		}
	}
	s.log.Info("deferred indexes: entries collected and sorted", "origin", origin, "records", records, "entries", total,
		"took_ms", time.Since(start).Milliseconds())

	buckets := make([]string, 0, len(runs))
	for b := range runs {
		buckets = append(buckets, b)
	}
	slices.Sort(buckets)
	lastLog := time.Now()
	// untouched reports that no record of origin changed since from; it
	// moves from on as far as it has looked.
	untouched := func(tx *Tx) bool {
		for from < tx.Revision() {
			chs, err := tx.ChangesSince(from, 1000)
			if err != nil || len(chs) == 0 {
				return false // compacted meanwhile: cannot tell
			}
			for _, ch := range chs {
				if ch.Origin == origin {
					return false
				}
			}
			from = chs[len(chs)-1].Revision
		}
		return true
	}
	batch := deferredBatch
	if s.deferred.batch > 0 {
		batch = s.deferred.batch
	}
	for _, name := range buckets {
		m := newKeyMerge(runs[name])
		for more := true; more; {
			put := 0
			err := s.Update(ctx, func(tx *Tx) error {
				put = 0
				if !untouched(tx) {
					changed = true
					return nil
				}
				b := tx.bt.Bucket([]byte(name))
				b.FillPercent = 1 // sorted: fill pages instead of splitting them in half
				for n := 0; n < batch; n++ {
					k := m.next()
					if k == nil {
						more = false
						return nil
					}
					if err := b.Put(k, nil); err != nil {
						return Internal(err)
					}
					put++
				}
				return nil
			})
			if err != nil || changed {
				return written, changed, err
			}
			written += put
			if s.deferred.afterBatch != nil {
				s.deferred.afterBatch()
			}
			if time.Since(lastLog) >= 10*time.Second {
				lastLog = time.Now()
				s.log.Info("deferred indexes: writing", "origin", origin, "index", name, "written", written, "entries", total)
			}
		}
	}
	err = s.Update(ctx, func(tx *Tx) error {
		if !untouched(tx) {
			changed = true
			return nil
		}
		if err := tx.bt.Bucket(bucketMeta).Delete(deferredKey(origin)); err != nil {
			return Internal(err)
		}
		rev, err := tx.bt.Bucket(bucketLog).NextSequence()
		if err != nil {
			return Internal(err)
		}
		return tx.appendLog(Change{Revision: rev, Time: tx.now, Op: OpIndexed, Origin: origin, Actor: "system",
			Reason: fmt.Sprintf("%d index entries of a mirror's first load written", written)})
	})
	if err == nil && !changed {
		s.log.Info("deferred indexes built", "origin", origin, "records", records, "entries", written,
			"took_ms", time.Since(start).Milliseconds())
	}
	return written, changed, err
}

// collectIndexKeys decodes every record of origin and returns its index
// entries other than the origin's, sorted, as runs per index bucket (one
// run per decoding goroutine).
func collectIndexKeys(ctx context.Context, tx *Tx, origin string) (map[string][]*keyRun, int, error) {
	type job struct {
		kind Kind
		id   string
		raw  []byte // bbolt's memory: valid while tx is open, which outlives the workers
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), 4))
	jobs := make(chan []job, workers)
	results := make([]map[string]*keyRun, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		results[w] = map[string]*keyRun{}
		wg.Go(func() {
			for batch := range jobs {
				if errs[w] != nil {
					continue
				}
				for _, j := range batch {
					r, err := decodeRecord(j.kind, j.id, j.raw)
					if err != nil {
						errs[w] = err
						break
					}
					for _, ik := range r.indexKeys() {
						if bytes.Equal(ik.bucket, idxOrigin) {
							continue
						}
						run := results[w][string(ik.bucket)]
						if run == nil {
							run = &keyRun{}
							results[w][string(ik.bucket)] = run
						}
						run.add(ik.key)
					}
				}
			}
		})
	}
	records := 0
	var batch []job
	var walkErr error
	tx.EachOfOrigin(origin, "", "", func(k Kind, id string) bool {
		raw := tx.raw(k, id)
		if raw == nil {
			walkErr = Internal(fmt.Errorf("%s %s is in the origin index but not stored", k, id))
			return false
		}
		batch = append(batch, job{k, id, raw})
		records++
		if len(batch) == 1000 {
			if walkErr = ctx.Err(); walkErr != nil {
				return false
			}
			jobs <- batch
			batch = nil
		}
		return true
	})
	if len(batch) > 0 {
		jobs <- batch
	}
	close(jobs)
	wg.Wait()
	if err := errors.Join(append([]error{walkErr}, errs...)...); err != nil {
		return nil, 0, err
	}
	runs := map[string][]*keyRun{}
	var sorting sync.WaitGroup
	for _, res := range results {
		for b, run := range res {
			runs[b] = append(runs[b], run)
			sorting.Go(run.sort)
		}
	}
	sorting.Wait()
	return runs, records, nil
}

// keyRun is a list of keys in one arena: few allocations for millions.
type keyRun struct {
	arena []byte
	keys  []uint64 // offset<<24 | length
}

func (r *keyRun) add(k []byte) {
	r.keys = append(r.keys, uint64(len(r.arena))<<24|uint64(len(k)))
	r.arena = append(r.arena, k...)
}

func (r *keyRun) key(i int) []byte { return r.span(r.keys[i]) }

// span is the key an entry of keys points to.
func (r *keyRun) span(e uint64) []byte {
	off, n := e>>24, e&(1<<24-1)
	return r.arena[off : off+n]
}

func (r *keyRun) sort() {
	slices.SortFunc(r.keys, func(a, b uint64) int { return bytes.Compare(r.span(a), r.span(b)) })
}

// keyMerge yields the keys of sorted runs in order.
type keyMerge struct {
	runs []*keyRun
	pos  []int
}

func newKeyMerge(runs []*keyRun) *keyMerge {
	return &keyMerge{runs: runs, pos: make([]int, len(runs))}
}

// next returns the smallest key not yet returned, or nil after the last.
func (m *keyMerge) next() []byte {
	best := -1
	var bk []byte
	for i, r := range m.runs {
		if m.pos[i] == len(r.keys) {
			continue
		}
		if k := r.key(m.pos[i]); best < 0 || bytes.Compare(k, bk) < 0 {
			best, bk = i, k
		}
	}
	if best < 0 {
		return nil
	}
	m.pos[best]++
	return bk
}
