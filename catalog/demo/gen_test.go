package demo

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

// TestGeneratedFilesMatchSharedData proves that the committed files in
// data/ are what the generator makes from ../shared/data: it runs the
// generator into a temp dir and compares byte for byte. The shared data is
// not part of the repository; where it is absent the test skips.
func TestGeneratedFilesMatchSharedData(t *testing.T) {
	dataDir := sharedData(t)
	out := t.TempDir()
	if err := Generate(dataDir, out, testLogger(t)); err != nil {
		t.Fatalf("Generate: %v", err)
	}

	committed, err := fs.Glob(files, "data/*.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range committed {
		names = append(names, filepath.Base(c))
	}
	if !slices.Equal(names, sortedCopy(generatedFiles)) {
		t.Errorf("data/ holds %v, the generator writes %v", names, generatedFiles)
	}

	for _, name := range generatedFiles {
		got, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := files.ReadFile("data/" + name)
		if err != nil {
			t.Errorf("data/%s is not committed: %v", name, err)
			continue
		}
		if bytes.Equal(got, want) {
			continue
		}
		if bytes.Equal(gunzip(t, got), gunzip(t, want)) {
			t.Errorf("data/%s: same JSON, different gzip bytes (the compressor changed with the Go version?): regenerate with "+
				"go run ./catalog/demo/gen -data ../shared/data -out catalog/demo/data", name)
			continue
		}
		t.Errorf("data/%s is not what the generator makes from %s: regenerate with "+
			"go run ./catalog/demo/gen -data ../shared/data -out catalog/demo/data", name, dataDir)
	}

	t.Run("Deterministic", func(t *testing.T) {
		again := t.TempDir()
		if err := Generate(dataDir, again, nil); err != nil {
			t.Fatal(err)
		}
		for _, name := range generatedFiles {
			a, _ := os.ReadFile(filepath.Join(out, name))
			b, _ := os.ReadFile(filepath.Join(again, name))
			if !bytes.Equal(a, b) {
				t.Errorf("%s differs between two runs", name)
			}
		}
	})
}

// sharedData returns ../shared/data, or skips the test without it.
func sharedData(t *testing.T) string { return catalogtest.SharedData(t) }

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}
