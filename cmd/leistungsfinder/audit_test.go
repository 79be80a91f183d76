package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// audit export writes JSON lines and never overwrites; serve trims the log
// to its retention, says what it removed, and /metrics shows the size.
func TestAuditExportRetentionAndMetric(t *testing.T) {
	dir := t.TempDir()
	smallStore(t, dir) // two editors created: two audit entries
	out := filepath.Join(t.TempDir(), "audit.jsonl")
	var stderr bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"audit", "export", "-data", dir, "-o", out}, io.Discard, &stderr))
	assert.Contains(t, stderr.String(), "2 entries (seq 1 to 2)")
	f, err := os.Open(out)
	require.NoError(t, err)
	var lines []catalog.AuditEntry
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e catalog.AuditEntry
		require.NoError(t, json.Unmarshal(sc.Bytes(), &e), sc.Text())
		lines = append(lines, e)
	}
	f.Close()
	require.Len(t, lines, 2)
	assert.Equal(t, "createEditor", lines[0].Op)
	err = run(context.Background(), []string{"audit", "export", "-data", dir, "-o", out}, io.Discard, io.Discard)
	assert.Error(t, err, "an existing file is not overwritten")

	var logs bytes.Buffer
	s := &Server{Addr: "127.0.0.1:0", DataDir: dir, Portal: "HE", NoDemo: true, Log: newLogger(&logs, "info"),
		AuditRetention: catalog.AuditRetention{MaxEntries: 1}}
	require.NoError(t, s.Open(context.Background()))
	defer s.Close()
	assert.Contains(t, logs.String(), `"msg":"audit log trimmed to its retention`)
	assert.Contains(t, logs.String(), `"removed":1,"firstSeq":1,"lastSeq":1`)
	resp, err := http.Get(s.URL() + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(body), "leistungsfinder_audit_entries 1\n")
}
