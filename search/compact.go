package search

import (
	"context"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Segments and searching: a Bleve (scorch) index on disk is a stack of
// segments, one per batch until its merger combines them. A search opens
// a term reader in every segment for every term of the query and walks
// the segments one after the other, so at L (20,000 services, built in
// 500-document batches) the nine segments the merger left cost 43 % more
// CPU per query than one (547 → 782 queries/s, same run). The merger does
// not combine segments of similar size until there are ten of them, so
// the index is merged into one segment when it was built and after every
// mergeAfterDocs re-indexed documents, which bounds the rewriting to one
// per that many edits.

// mergeAfterDocs is the number of documents re-indexed since the last merge
// after which Run merges the index into one segment again.
const mergeAfterDocs = 1000

// mergeAtOpen is the number of segments above which Run merges an index
// it opened (one built before merging was introduced, or left with many
// segments by a stop).
const mergeAtOpen = 4

// scorchOf returns the scorch index under bi; nil for any other kind.
func scorchOf(bi bleve.Index) *scorch.Scorch {
	a, err := bi.Advanced()
	if err != nil {
		return nil
	}
	s, _ := a.(*scorch.Scorch)
	return s
}

// segments returns the number of segments of bi, in memory and in
// files: 0 for an index that is not scorch.
func segments(bi bleve.Index) int {
	mem, files := segmentCounts(bi)
	return mem + files
}

// segmentCounts returns the number of segments of bi not yet persisted
// and of those in files.
func segmentCounts(bi bleve.Index) (mem, files int) {
	s := scorchOf(bi)
	if s == nil {
		return 0, 0
	}
	m := s.StatsMap()
	nm, _ := m["TotMemorySegmentsAtRoot"].(uint64)
	nf, _ := m["TotFileSegmentsAtRoot"].(uint64)
	return int(nm), int(nf)
}

// persisted reports whether scorch's persister has written everything
// the index holds: no segment only in memory, and the current root (the
// segment list a merge changes) on disk.
func persisted(s *scorch.Scorch) bool {
	m := s.StatsMap()
	mem, _ := m["TotMemorySegmentsAtRoot"].(uint64)
	cur, _ := m["CurRootEpoch"].(uint64)
	done, _ := m["LastPersistedEpoch"].(uint64)
	return mem == 0 && done >= cur
}

const (
	// persistPoll is how often mergeSegments looks whether the persister
	// has caught up.
	persistPoll = 10 * time.Millisecond
	// persistWait bounds each wait for it.
	persistWait = time.Minute
)

// waitPersisted waits until s has persisted everything; false when it
// did not within persistWait.
func waitPersisted(ctx context.Context, s *scorch.Scorch) (bool, error) {
	deadline := time.Now().Add(persistWait)
	for !persisted(s) {
		if time.Now().After(deadline) {
			return false, nil
		}
		select {
		case <-ctx.Done():
			return false, ctx.Err()
		case <-time.After(persistPoll):
		}
	}
	return true, nil
}

// mergeSegments merges the segments of the on-disk index bi into one and
// logs what it did. ForceMerge merges only segments in files, so it waits
// for the persister first, and afterwards, so that a Close right after
// keeps the merged segment list. It merges again when a batch arrived
// meanwhile, at most three times (Run merges again later). It does
// nothing for an index in memory (scorch has no merger there, and
// ForceMerge would wait for it forever).
func (ix *Index) mergeSegments(ctx context.Context, bi bleve.Index) error {
	s := scorchOf(bi)
	if ix.path == "" || s == nil {
		return nil
	}
	before, start := segments(bi), time.Now()
	for range 3 {
		ok, err := waitPersisted(ctx, s)
		if err != nil || !ok {
			return err
		}
		if _, files := segmentCounts(bi); files <= 1 {
			break
		}
		if err := s.ForceMerge(ctx, nil); err != nil {
			return err
		}
	}
	if _, err := waitPersisted(ctx, s); err != nil {
		return err
	}
	if before > 1 {
		ix.log.Info("search index: segments merged", "segments_before", before, "segments", segments(bi),
			"took_ms", time.Since(start).Milliseconds())
	}
	return nil
}

// mergeIfDue merges the current index into one segment when ix.mergeAfter
// (mergeAfterDocs outside tests) documents were re-indexed since the last merge (Open counts an index
// with more than mergeAtOpen segments as due). It holds the writers' lock,
// so that no rebuild swaps the index away meanwhile; searches go on.
func (ix *Index) mergeIfDue(ctx context.Context) {
	if ix.reindexed.Load() < ix.mergeAfter {
		return
	}
	ix.wmu.Lock()
	defer ix.wmu.Unlock()
	ix.mu.RLock()
	p := ix.cur
	ix.mu.RUnlock()
	if p == nil {
		return
	}
	ix.reindexed.Store(0)
	if err := ix.mergeSegments(ctx, p.bi); err != nil && ctx.Err() == nil {
		ix.log.Warn("search index: merging segments failed; searches go on with them", "err", err)
	}
}
