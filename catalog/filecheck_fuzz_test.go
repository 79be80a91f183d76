package catalog

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzVerifyFile: whatever bytes a backup file holds, the structural check
// answers without a panic, and what passes it opens and checks without a
// crash. It runs the verifier on the bytes in memory, so that the fuzzer
// tries many files a second.
func FuzzVerifyFile(f *testing.F) {
	st, err := Open(filepath.Join(f.TempDir(), "catalog.db"), Options{})
	if err != nil {
		f.Fatal(err)
	}
	err = st.Update(context.Background(), func(tx *Tx) error {
		return tx.Put(&Region{Meta: Meta{ID: Bund}, Name: "Bund", Level: LevelBund}, Write{})
	})
	if err != nil {
		f.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := st.Backup(&buf); err != nil {
		f.Fatal(err)
	}
	st.Close()
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add(buf.Bytes()[:8192])
	f.Fuzz(func(t *testing.T, data []byte) {
		v := &fileVerifier{f: bytes.NewReader(data), size: int64(len(data)), seen: map[uint64]bool{}}
		if v.run(true) != nil {
			return
		}
		path := filepath.Join(t.TempDir(), "x.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		st, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			return
		}
		st.Check()
		st.Close()
	})
}
