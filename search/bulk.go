package search

import (
	"context"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Following a bulk writer. A federation snapshot swap (or a large import)
// writes hundreds of thousands of records in a few seconds; 5 million at
// L. Followed page by page, every page of the change log became a Bleve
// batch of its own: a segment to merge, and the services of every LeiKa
// key it touched indexed again, page after page (at M the merges alone
// took 17 s of the resync's 70 s of CPU). Behind such a writer the index
// therefore takes the backlog, up to bulkMaxChanges entries, into one
// batch (each service once), and while the writer is still writing it
// pauses for bulkPause before the next batch, which then takes what the
// writer did meanwhile. Searches answer from the index as it was until
// then: at most bulkPause plus one batch behind the catalogue, which is
// itself half-way through the writer's work. An editor's ordinary commits
// (a backlog below bulkBacklog) are indexed at once, as before.
const (
	// defaultBulkBacklog is the backlog of change-log entries from which
	// the index counts as following a bulk writer.
	defaultBulkBacklog = 5_000
	// defaultBulkPause is the wait after a batch that followed one.
	defaultBulkPause = 5 * time.Second
	// bulkMaxChanges bounds the change-log entries of one batch (about
	// 200 bytes each while the batch is collected).
	bulkMaxChanges = 500_000
)

// nextChanges returns the change-log entries the next batch of an index
// at revision at applies: a page (pageLimit), or behind a bulk writer
// the backlog up to bulkMaxChanges. It notes which of the two in
// bulkHead, for pauseBehindBulk.
func (ix *Index) nextChanges(tx *catalog.Tx, at uint64) ([]catalog.Change, error) {
	head := tx.Revision()
	if ix.bulkBacklog <= 0 || head < at+uint64(ix.bulkBacklog) {
		ix.bulkHead.Store(0)
		return tx.ChangesSince(at, ix.pageLimit(head, at))
	}
	ix.bulkHead.Store(head)
	return tx.ChangesSince(at, int(min(head-at, bulkMaxChanges)))
}

// pauseBehindBulk waits bulkPause after a batch that took a bulk
// writer's backlog while the writer is still writing (the store moved
// past the head that batch saw), so that the next batch takes more at
// once. It returns ctx's error when ctx ends meanwhile.
func (ix *Index) pauseBehindBulk(ctx context.Context) error {
	head := ix.bulkHead.Swap(0)
	if head == 0 || ix.st.Revision() <= head {
		return nil
	}
	ix.log.Debug("search index: following a bulk writer; pausing", "revision", head, "pause", ix.bulkPause)
	t := time.NewTimer(ix.bulkPause)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
