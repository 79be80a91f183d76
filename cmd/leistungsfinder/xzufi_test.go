package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestXZuFiCommands exports the demo catalogue, imports it dry and for
// real into another data directory that has only its own demo, and shows
// the summary lines an operator reads.
func TestXZuFiCommands(t *testing.T) {
	dir := t.TempDir()
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	require.NoError(t, s.Close())

	// The export only reads: it runs beside another reader of the file
	// (a backup, or a benchmark's data directory nobody may write to),
	// which holds a shared lock that a read-write open waits for in vain.
	reader, err := catalog.Open(storePath(dir), catalog.Options{ReadOnly: true})
	require.NoError(t, err)
	out := filepath.Join(t.TempDir(), "xzufi")
	var stdout, stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"xzufi", "export", "-data", dir, "-o", out}, &stdout, &stderr))
	require.NoError(t, reader.Close())
	assert.Regexp(t, `exported revision \d+ to .*: \d+ services, \d+ offices.* records/s\); peak heap in use \d+ MB, Go memory \d+ MB`, stdout.String())
	index, err := os.ReadFile(filepath.Join(out, "index.txt"))
	require.NoError(t, err)
	assert.Regexp(t, `(?m)^r\d{12}-leistungen-0001\.xml$`, string(index))

	// Re-importing into the same catalogue changes nothing.
	stdout.Reset()
	require.NoError(t, run(context.Background(), []string{"xzufi", "import", "-data", dir, "-dry-run", out}, &stdout, &stderr))
	line := regexp.MustCompile(`import: created (\d+), updated (\d+), unchanged (\d+), deleted 0, rejected (\d+), skipped 0 \(dry run`).FindStringSubmatch(stdout.String())
	require.NotNil(t, line, stdout.String())
	assert.Equal(t, []string{"0", "0", "0"}, []string{line[1], line[2], line[4]}, stdout.String())
	assert.Regexp(t, `records/s\); peak heap in use \d+ MB`, stdout.String())

	err = run(context.Background(), []string{"xzufi", "import", "-data", dir, filepath.Join(t.TempDir(), "missing")}, io.Discard, io.Discard)
	assert.Error(t, err)
}

// TestImportPVOGCommands imports the portal network's federal CSV
// (../shared/data/catalog) into the demo, which already has it: nothing is
// created twice; and a file with the wrong header is refused.
func TestImportPVOGCommands(t *testing.T) {
	data := catalogtest.SharedData(t)
	dir := t.TempDir()
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", Log: newLogger(io.Discard, "error")}
	require.NoError(t, s.Open(context.Background()))
	require.NoError(t, s.Close())
	var stdout bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"import", "pvog-csv", "-data", dir, filepath.Join(data, "catalog", "pvog-bund-2025-01-20.csv")}, &stdout, io.Discard))
	line := regexp.MustCompile(`import: created (\d+), updated (\d+), unchanged (\d+), deleted 0, rejected (\d+)`).FindStringSubmatch(stdout.String())
	require.NotNil(t, line, stdout.String())
	assert.Equal(t, "0", line[1], "the demo has every federal service already: %s", stdout.String())

	stdout.Reset()
	require.NoError(t, run(context.Background(), []string{"import", "pvog-json", "-data", dir, "-dry-run", filepath.Join(data, "catalog", "pvog-detail-B100019.LB.574711.json")}, &stdout, io.Discard))
	assert.Contains(t, stdout.String(), "(dry run: nothing was written)")

	bad := filepath.Join(t.TempDir(), "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("a|b|c\n"), 0o644))
	err := run(context.Background(), []string{"import", "pvog-csv", "-data", dir, bad}, io.Discard, io.Discard)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.csv:1: header is")
}
