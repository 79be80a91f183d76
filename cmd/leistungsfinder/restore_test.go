package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// smallStore writes a store with a few records into dir and returns its bytes.
func smallStore(t *testing.T, dir string) []byte {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o750))
	st, err := catalog.Open(storePath(dir), catalog.Options{Portal: "HE"})
	require.NoError(t, err)
	for _, name := range []string{"Landesredaktion", "Stadt Eschwege"} {
		_, _, err := st.CreateEditor(context.Background(), nil, catalog.Editor{Name: name, Role: catalog.AccessStateEditor})
		require.NoError(t, err)
	}
	require.NoError(t, st.Update(context.Background(), func(tx *catalog.Tx) error {
		return tx.Put(&catalog.Region{Meta: catalog.Meta{ID: "000000000000"}, Name: "Bund", Level: catalog.LevelBund}, catalog.Write{})
	}))
	require.NoError(t, st.Close())
	data, err := os.ReadFile(storePath(dir))
	require.NoError(t, err)
	return data
}

func dirState(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		if e.IsDir() {
			out[e.Name()] = "dir"
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		require.NoError(t, err)
		out[e.Name()] = string(b)
	}
	return out
}

func names(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestRestoreMatrix runs the real binary: restore is refused while the
// server runs and for an empty, truncated, bit-flipped, foreign or
// inconsistent backup, each time with a message, exit code 1 and no crash,
// no temp file, the kept copies and the store unchanged. A good backup is
// restored twice and both previous stores are kept.
func TestRestoreMatrix(t *testing.T) {
	src := t.TempDir()
	good := smallStore(t, src)
	goodFile := filepath.Join(t.TempDir(), "good.db")
	require.NoError(t, os.WriteFile(goodFile, good, 0o600))

	flipped := bytes.Clone(good)
	for off := 2 * 4096; off < len(flipped); off += 4096 {
		flipped[off] ^= 0xFD
	}
	foreign := filepath.Join(t.TempDir(), "foreign.db")
	db, err := bolt.Open(foreign, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("x")); return err }))
	require.NoError(t, db.Close())
	foreignData, _ := os.ReadFile(foreign)
	// Consistent bbolt, inconsistent catalogue: an editor's token index
	// entry without its editor. Only the full check finds it.
	inconsistent := filepath.Join(t.TempDir(), "inconsistent.db")
	require.NoError(t, os.WriteFile(inconsistent, good, 0o600))
	db, err = bolt.Open(inconsistent, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("idx.region.parent")).Put([]byte("000000000000"+"099999999999"), nil)
	}))
	require.NoError(t, db.Close())
	inconsistentData, _ := os.ReadFile(inconsistent)

	cases := map[string]struct {
		data []byte
		want string
	}{
		"Empty":        {nil, "the file is empty (0 bytes)"},
		"Truncated":    {good[:len(good)/2], "it is truncated"},
		"BitFlipped":   {flipped, "identifies itself as page"},
		"Foreign":      {[]byte("PK\x03\x04 a zip file, not a store"), "less than two meta pages"},
		"ForeignBbolt": {foreignData, "not a Leistungsfinder store"},
		"Inconsistent": {inconsistentData, "dangling entry"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			data := t.TempDir()
			store := smallStore(t, data)
			kept := storePath(data) + ".before-restore-20260101T000000Z"
			require.NoError(t, os.WriteFile(kept, []byte("kept earlier"), 0o600))
			backup := filepath.Join(t.TempDir(), "backup.db")
			require.NoError(t, os.WriteFile(backup, c.data, 0o600))
			before := dirState(t, data)

			code, out := runChild(t, "restore", "-data", data, "-i", backup)
			assert.Equal(t, 1, code, out)
			assert.Contains(t, out, "the backup is refused")
			assert.Contains(t, out, c.want)
			after := dirState(t, data)
			assert.Equal(t, names(before), names(after), "no temp file, nothing removed")
			assert.Equal(t, before, after, "the store and the kept copy are unchanged")
			assert.True(t, bytes.Equal(store, []byte(after["catalog.db"])))
		})
	}

	t.Run("ServerRunning", func(t *testing.T) {
		data := t.TempDir()
		smallStore(t, data)
		srv := startChild(t, "serve", "-data", data, "-addr", "127.0.0.1:0", "-no-demo", "-log-level", "info")
		require.NotEmpty(t, srv.url(30*time.Second), srv.output())
		before := dirState(t, data)
		code, out := runChild(t, "restore", "-data", data, "-i", goodFile)
		assert.Equal(t, 1, code, out)
		assert.Contains(t, out, "is the server running?")
		// The running server adds files of its own meanwhile (the XZuFi
		// export); restore added none and changed no store.
		after := dirState(t, data)
		for name := range after {
			assert.False(t, strings.HasPrefix(name, "catalog.db.") && before[name] == "", "restore left %s", name)
		}
		assert.Equal(t, before["catalog.db"], after["catalog.db"])
	})

	t.Run("RestoredTwiceKeepsBoth", func(t *testing.T) {
		data := t.TempDir()
		original := smallStore(t, data)
		code, out := runChild(t, "restore", "-data", data, "-i", goodFile)
		require.Equal(t, 0, code, out)
		assert.Contains(t, out, "the previous store is kept as "+storePath(data)+".before-restore-")
		code, out = runChild(t, "restore", "-data", data, "-i", goodFile)
		require.Equal(t, 0, code, out)
		state := dirState(t, data)
		require.Len(t, state, 3, names(state))
		var keptOriginal int
		for name, content := range state {
			if name != "catalog.db" && content == string(original) {
				keptOriginal++
			}
		}
		assert.Equal(t, 1, keptOriginal, "the original store is still kept after the second restore")
		code, out = runChild(t, "check", "-data", data)
		assert.Equal(t, 0, code, out)
	})
}

// TestDamagedStoreCommands: serve, check and backup on a damaged store say
// so and exit 1; none crashes.
func TestDamagedStoreCommands(t *testing.T) {
	data := t.TempDir()
	good := smallStore(t, data)
	require.NoError(t, os.WriteFile(storePath(data), good[:len(good)/2], 0o600))
	for _, args := range [][]string{
		{"check", "-data", data},
		{"backup", "-data", data, "-o", filepath.Join(t.TempDir(), "b.db")},
		{"serve", "-data", data, "-addr", "127.0.0.1:0"},
		{"editor", "list", "-data", data},
	} {
		code, out := runChild(t, args...)
		assert.Equal(t, 1, code, "%v: %s", args, out)
		assert.Contains(t, out, "not an intact store file", args)
	}
}
