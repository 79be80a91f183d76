package catalogtest

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// Open opens a store in a temp dir of the test; when the test ends it runs
// Check, which fails the test on any inconsistency, and closes the store.
// opt.Portal "" opens it for "HE".
func Open(t testing.TB, opt catalog.Options) *catalog.Store {
	t.Helper()
	name := "catalog.db"
	if opt.Portal != "" {
		name = opt.Portal + ".db"
	}
	return open(t, filepath.Join(t.TempDir(), name), opt)
}

// open opens the store at path for the test, checked and closed when the
// test ends.
func open(t testing.TB, path string, opt catalog.Options) *catalog.Store {
	t.Helper()
	st, err := catalog.Open(path, opt)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Check(); err != nil {
			t.Errorf("%s: Check: %v", st.Portal(), err)
		}
		st.Close()
	})
	return st
}

// OpenCopy opens a copy of the store file src in a temp dir of the test,
// checked and closed when the test ends like Open. A test that writes gets
// a catalogue of its own in the time a file copy takes, where loading it
// again (the demo catalogue under the race detector) takes tens of seconds.
// src must not be written meanwhile: a closed store, or a Store.Backup.
func OpenCopy(t testing.TB, src string, opt catalog.Options) *catalog.Store {
	t.Helper()
	name := "catalog.db"
	if opt.Portal != "" {
		name = opt.Portal + ".db"
	}
	dst := filepath.Join(t.TempDir(), name)
	if err := copyFile(dst, src); err != nil {
		t.Fatalf("copy store: %v", err)
	}
	return open(t, dst, opt)
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return err
}

// Shared is a store that several tests of a package read (the demo
// catalogue is loaded once per test binary). Open it with OpenShared in
// the first test that needs it and close it from TestMain with Close,
// which runs Check.
type Shared struct {
	dir string
	St  *catalog.Store
}

// OpenShared opens a store in a new temporary directory, outside any test.
func OpenShared(prefix string, opt catalog.Options) (*Shared, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	st, err := catalog.Open(filepath.Join(dir, "catalog.db"), opt)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &Shared{dir: dir, St: st}, nil
}

// Dir returns the temporary directory of the store, for files that belong
// beside it (a search index); Close removes it.
func (s *Shared) Dir() string { return s.dir }

// Close runs Check, closes the store and removes its directory. It returns
// Check's error. A nil Shared is closed already.
func (s *Shared) Close() error {
	if s == nil {
		return nil
	}
	err := s.St.Check()
	s.St.Close()
	os.RemoveAll(s.dir)
	return err
}

// Put writes records in one transaction as actor "test" and fails the test
// on an error.
func Put(t testing.TB, st *catalog.Store, recs ...catalog.Record) {
	t.Helper()
	err := st.Update(context.Background(), func(tx *catalog.Tx) error {
		for _, r := range recs {
			if err := tx.Put(r, catalog.Write{Actor: "test"}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("put: %v", err)
	}
}
