package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
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

// TestMigrationLog reads the store's log lines as an operator would: a new
// store is one "store created" line with its version, a real migration one
// "store migrated" line per step, and an up-to-date store none.
func TestMigrationLog(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	open := func() []string {
		t.Helper()
		var buf bytes.Buffer
		st, err := Open(path, Options{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})
		require.NoError(t, err)
		require.NoError(t, st.Close())
		var lines []string
		for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
			if line == "" {
				continue
			}
			var rec struct {
				Msg     string
				Version int
			}
			require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
			lines = append(lines, fmt.Sprintf("%s %d", rec.Msg, rec.Version))
		}
		return lines
	}
	setVersion := func(v uint64) {
		t.Helper()
		db, err := bolt.Open(path, 0o600, nil)
		require.NoError(t, err)
		require.NoError(t, db.Update(func(bt *bolt.Tx) error { return bt.Bucket(bucketMeta).Put(metaSchema, u64(v)) }))
		require.NoError(t, db.Close())
	}
	n := len(migrations)
	require.Greater(t, n, 2)
	assert.Equal(t, []string{fmt.Sprintf("store created %d", n)}, open(), "a new store")
	assert.Empty(t, open(), "an up-to-date store")
	setVersion(uint64(n - 2))
	assert.Equal(t, []string{fmt.Sprintf("store migrated %d", n-1), fmt.Sprintf("store migrated %d", n)}, open(),
		"a store two versions behind")
}
