package search

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// TestRebuildLeavesOneSegment: a rebuilt index on disk is one segment, so
// that a search opens one term reader per term, not one per batch.
func TestRebuildLeavesOneSegment(t *testing.T) {
	f := newFixture(t)
	write(t, f.st, func(tx *catalog.Tx) error {
		for i := range 2*batchDocs + 1 { // three rebuild batches
			s := newPublished(fmt.Sprintf("Testleistung %d", i))
			s.LeikaKeys = []string{fmt.Sprintf("99%012d", i)}
			if err := tx.Put(s, catalog.Write{Actor: "test"}); err != nil {
				return err
			}
		}
		return nil
	})
	path := filepath.Join(t.TempDir(), "search")
	ix := openDisk(t, path, f.st)
	defer ix.Close()
	assert.Equal(t, 1, segments(ix.cur.bi))
	assert.True(t, found(t, ix, "Testleistung 1000", "", "99000000001000"))
}

// TestRunMergesAfterEdits: edits add a segment per batch; after
// mergeAfter re-indexed documents Run merges them into one, and every
// service is still found, also after a restart.
func TestRunMergesAfterEdits(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "search")
	ix := openDisk(t, path, f.st)
	ix.pageSize = 1 // one batch, and so one segment, per edit
	names := []string{"Zeppelinlandeerlaubnis", "Ballonstartgenehmigung", "Luftschiffhangarabnahme", "Segelflugplatzzulassung"}
	for i, n := range names {
		s := newPublished(n)
		s.LeikaKeys = []string{fmt.Sprintf("9912345678900%d", i)}
		write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "test"}) })
	}
	require.NoError(t, ix.CatchUp(ctx))
	require.Greater(t, segments(ix.cur.bi), 1, "the edits were indexed in batches of their own")
	ix.mergeAfter = int64(len(names))

	c, cancel := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- ix.Run(c) }()
	assert.Eventually(t, func() bool {
		ix.wmu.Lock() // Run merges under it
		defer ix.wmu.Unlock()
		return segments(ix.cur.bi) == 1
	}, 10*time.Second, 10*time.Millisecond, "Run merged the segments")
	cancel()
	require.NoError(t, <-done)
	for i, n := range names {
		assert.True(t, found(t, ix, n, "", fmt.Sprintf("9912345678900%d", i)), n)
	}
	require.NoError(t, ix.Close())

	ix = openDisk(t, path, f.st)
	defer ix.Close()
	assert.Zero(t, ix.rebuilds.Load(), "the merged index opens without a rebuild")
	for i, n := range names {
		assert.True(t, found(t, ix, n, "", fmt.Sprintf("9912345678900%d", i)), n)
	}
}
