package catalogtest

import (
	"os"
	"path/filepath"
	"testing"
)

// SharedData returns ../shared/data relative to the module root (the real
// data the tests read: region keys, office lists, the portal network's
// exports), or skips the test when it is not there (CI has it).
func SharedData(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "README.md")); err != nil {
		t.Skip("../shared/data not present (CI has it)")
	}
	return data
}
