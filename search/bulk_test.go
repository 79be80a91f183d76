package search

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// TestCatchUpBehindABulkWriterIndexesEachServiceOnce: edits that arrive
// faster than pages of the change log (a federation snapshot swap) are
// indexed in one batch, each service once, instead of page by page, each
// page indexing its services again; and the search finds the last
// version.
func TestCatchUpBehindABulkWriterIndexesEachServiceOnce(t *testing.T) {
	for _, bulk := range []bool{false, true} {
		t.Run(fmt.Sprintf("bulk=%v", bulk), func(t *testing.T) {
			f := newFixture(t)
			ix := openDisk(t, filepath.Join(t.TempDir(), "search"), f.st)
			defer ix.Close()
			ix.pageSize = 1 // a page per edit
			ix.bulkBacklog = 0
			if bulk {
				ix.bulkBacklog = 3
			}
			s := newPublished("Massenschreibtest")
			s.LeikaKeys = []string{"99123456789100"}
			write(t, f.st, func(tx *catalog.Tx) error { return tx.Put(s, catalog.Write{Actor: "test"}) })
			require.NoError(t, ix.CatchUp(ctx))
			before := ix.reindexed.Load()
			for i := range 6 { // six versions of one service
				write(t, f.st, func(tx *catalog.Tx) error {
					s.Texts[catalog.ModuleName] = i18n.German(fmt.Sprintf("Massenschreibtest Fassung%d", i))
					return tx.Put(s, catalog.Write{Actor: "test"})
				})
			}
			require.NoError(t, ix.CatchUp(ctx))
			want := int64(6)
			if bulk {
				want = 1
			}
			assert.Equal(t, want, ix.reindexed.Load()-before, "documents indexed for six versions of one service")
			assert.Equal(t, f.st.Revision(), ix.Revision())
			assert.True(t, found(t, ix, "Fassung5", "", s.LeikaKeys[0]), "the last version is found")
		})
	}
}
