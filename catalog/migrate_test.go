package catalog

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/leistungsfinder/leistungsfinder/i18n"
)

// TestMigrationIndexesServiceNames opens a store written before the name
// index existed (schema 3): the migration builds it.
func TestMigrationIndexesServiceNames(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "c.db")
	st, err := Open(path, Options{})
	require.NoError(t, err)
	require.NoError(t, st.Update(ctx, func(tx *Tx) error {
		return tx.Put(&Service{Status: StatusPublished, LeikaKeys: []string{"99050012104000"},
			Texts: map[Module]i18n.Text{ModuleName: i18n.German("Gewerbe anmelden")}}, Write{})
	}))
	require.NoError(t, st.db.Update(func(bt *bolt.Tx) error {
		if err := bt.DeleteBucket(idxServiceName); err != nil {
			return err
		}
		return bt.Bucket(bucketMeta).Put(metaSchema, u64(3))
	}))
	require.NoError(t, st.Close())

	st, err = Open(path, Options{})
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Check())
	require.NoError(t, st.View(ctx, func(tx *Tx) error {
		page, err := tx.ListServices(ServiceListFilter{}, Page{Limit: 10, Count: true})
		require.NoError(t, err)
		assert.Equal(t, 1, page.Total)
		return nil
	}))
}
