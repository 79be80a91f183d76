package catalog_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// backupBytes returns a good backup of a small store.
func backupBytes(t *testing.T) []byte {
	t.Helper()
	st := mustOpen(t)
	seedRegions(t, st)
	put(t, st, newService(), catalog.Write{})
	var buf bytes.Buffer
	_, err := st.Backup(&buf)
	require.NoError(t, err)
	return buf.Bytes()
}

// damaged versions of a good backup, as an operator meets them.
func damagedBackups(t *testing.T, good []byte) map[string][]byte {
	flipped := bytes.Clone(good)
	// Flip the first byte of every page after the meta pages: every page
	// then names the wrong page ID (bbolt panics "Page expected to be").
	for off := 2 * 4096; off < len(flipped); off += 4096 {
		flipped[off] ^= 0xFD
	}
	metaFlipped := bytes.Clone(good)
	metaFlipped[16+20] ^= 0x01 // the root page of the first meta page: fails its checksum
	foreign := filepath.Join(t.TempDir(), "foreign.db")
	db, err := bolt.Open(foreign, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("other"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), []byte("v"))
	}))
	require.NoError(t, db.Close())
	foreignBolt, err := os.ReadFile(foreign)
	require.NoError(t, err)
	return map[string][]byte{
		"Empty":        {},
		"Truncated":    good[:len(good)/2],
		"ShortHeader":  good[:1000],
		"BitFlipped":   flipped,
		"MetaFlipped":  metaFlipped,
		"Text":         []byte("this is not a database\n"),
		"ForeignBbolt": foreignBolt,
	}
}

// TestRestoreRefusals is the restore matrix: every refusal says why,
// crashes nothing, leaves no temp file and keeps the store and the earlier
// kept copies as they were.
func TestRestoreRefusals(t *testing.T) {
	good := backupBytes(t)
	for name, data := range damagedBackups(t, good) {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "catalog.db")
			require.NoError(t, os.WriteFile(path, good, 0o600))
			earlier := path + ".before-restore-20260101T000000Z"
			require.NoError(t, os.WriteFile(earlier, []byte("an earlier kept copy"), 0o600))
			before := listDir(t, dir)

			kept, err := catalog.Restore(path, bytes.NewReader(data), catalog.RestoreOptions{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "the backup is refused")
			assert.Empty(t, kept)
			assert.Equal(t, before, listDir(t, dir), "no file added or removed (no temp file left)")
			got, _ := os.ReadFile(path)
			assert.True(t, bytes.Equal(good, got), "the store is unchanged")
			got, _ = os.ReadFile(earlier)
			assert.Equal(t, "an earlier kept copy", string(got))
		})
	}
	t.Run("StoreInUse", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "catalog.db")
		require.NoError(t, os.WriteFile(path, good, 0o600))
		st, err := catalog.Open(path, catalog.Options{}) // as a running server holds it
		require.NoError(t, err)
		defer st.Close()
		_, err = catalog.Restore(path, bytes.NewReader(good), catalog.RestoreOptions{})
		require.ErrorIs(t, err, catalog.ErrLocked)
		assert.Contains(t, err.Error(), "is the server running?")
		assert.Equal(t, []string{"catalog.db", "catalog.db.open"}, listDir(t, dir), "the store and its open marker, no temp file")
	})
}

// Every restore keeps the store it replaces under a name of its own: a
// second restore never overwrites the first one's kept copy.
func TestRestoreKeepsEveryPreviousStore(t *testing.T) {
	good := backupBytes(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "catalog.db")
	require.NoError(t, os.WriteFile(path, []byte{}, 0o600))
	original := mustOpenAt(t, path)
	seedRegions(t, original)
	require.NoError(t, original.Close())
	originalBytes, err := os.ReadFile(path)
	require.NoError(t, err)

	at := time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	now := func() time.Time { return at }
	kept1, err := catalog.Restore(path, bytes.NewReader(good), catalog.RestoreOptions{Now: now})
	require.NoError(t, err)
	assert.Equal(t, path+".before-restore-20261207T060000Z", kept1)
	kept2, err := catalog.Restore(path, bytes.NewReader(good), catalog.RestoreOptions{Now: now})
	require.NoError(t, err)
	assert.Equal(t, path+".before-restore-20261207T060000Z-2", kept2, "the same second: a new name")

	got, err := os.ReadFile(kept1)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(originalBytes, got), "the first kept copy is the original store")
	got, err = os.ReadFile(kept2)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(good, got))
	assert.ElementsMatch(t, []string{"catalog.db", filepath.Base(kept1), filepath.Base(kept2)}, listDir(t, dir))
}

// Opening a damaged store (serve, check, backup) is a clear error, never a
// crash.
func TestOpenDamagedStore(t *testing.T) {
	good := backupBytes(t)
	for name, data := range damagedBackups(t, good) {
		if name == "Empty" || name == "MetaFlipped" || name == "ForeignBbolt" {
			continue // a new store; one torn meta page bbolt recovers from; not ours but intact
		}
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "catalog.db")
			require.NoError(t, os.WriteFile(path, data, 0o600))
			for _, ro := range []bool{true, false} {
				_, err := catalog.Open(path, catalog.Options{ReadOnly: ro})
				require.Error(t, err)
				assert.Contains(t, err.Error(), "not an intact store file")
			}
		})
	}
	t.Run("ForeignBboltFailsCheck", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "catalog.db")
		require.NoError(t, os.WriteFile(path, damagedBackups(t, good)["ForeignBbolt"], 0o600))
		st, err := catalog.Open(path, catalog.Options{ReadOnly: true})
		require.NoError(t, err)
		defer st.Close()
		assert.ErrorContains(t, st.Check(), "not a Leistungsfinder store")
	})
}

func mustOpenAt(t *testing.T, path string) *catalog.Store {
	t.Helper()
	st, err := catalog.Open(path, catalog.Options{})
	require.NoError(t, err)
	return st
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// A store its last process closed opens after the quick check; one whose
// last process was killed (its open marker remains) gets the full walk, so
// a page damaged deep in a bucket is refused before bbolt maps it.
func TestOpenWalksEveryPageAfterAnUncleanStop(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "catalog.db")
	st := mustOpenAt(t, path)
	assert.FileExists(t, path+".open", "open for writing: the marker is there")
	require.NoError(t, st.Close())
	assert.NoFileExists(t, path+".open", "closed: the marker is gone")
	ro, err := catalog.Open(path, catalog.Options{ReadOnly: true})
	require.NoError(t, err)
	assert.NoFileExists(t, path+".open", "a read-only open writes no marker")
	require.NoError(t, ro.Close())

	// A bbolt file deep enough that a leaf lies below the buckets' root
	// pages: damage one leaf after another until the quick check misses it.
	deep := filepath.Join(t.TempDir(), "deep.db")
	db, err := bolt.Open(deep, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("records"))
		if err != nil {
			return err
		}
		for i := range 20000 {
			if err := b.Put(fmt.Appendf(nil, "key-%06d", i), bytes.Repeat([]byte{'v'}, 100)); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, db.Close())
	good, err := os.ReadFile(deep)
	require.NoError(t, err)
	var damaged []byte
	for off := 2 * 4096; off < len(good) && damaged == nil; off += 4096 {
		d := bytes.Clone(good)
		d[off] ^= 0xFD // the page names the wrong page ID
		require.NoError(t, os.WriteFile(deep, d, 0o600))
		if catalog.VerifyFile(deep, false) != nil && catalog.VerifyFileQuick(deep) == nil {
			damaged = d
		}
	}
	require.NotNil(t, damaged, "some deep page is left to the full walk")

	require.NoError(t, os.WriteFile(path, damaged, 0o600))
	require.NoError(t, os.WriteFile(path+".open", nil, 0o600)) // as a killed process leaves it
	for _, readOnly := range []bool{true, false} {
		_, err = catalog.Open(path, catalog.Options{ReadOnly: readOnly})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not an intact store file")
	}
	assert.Error(t, catalog.VerifyFile(path, false), "check walks every page whatever the marker says")
}
