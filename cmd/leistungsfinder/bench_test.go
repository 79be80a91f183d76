package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchCommand runs every target of bench briefly over the demo
// catalogue, with the PostgreSQL baselines where PostgreSQL 15 is
// installed, and checks that each target reports its medians and ratios
// without failed requests. It measures nothing: figures come from runs of
// the real length (BENCHMARKS.md).
func TestBenchCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and load-tests it")
	}
	args := []string{"bench", "-d", "300ms", "-runs", "1", "-c", "4", "-places", "50", "-queries", "../../testdata/search/citizen-queries.txt"}
	_, pgErr := findPostgres("")
	if pgErr != nil {
		t.Logf("without the PostgreSQL baselines: %v", pgErr)
		args = append(args, "-pg", "off")
	}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), args, &out, io.Discard), out.String())
	s := out.String()
	assert.Contains(t, s, "leistungsfinder/plain net/http, same bytes")
	assert.Regexp(t, `allocates \d+ times`, s)
	assert.Regexp(t, `== localService over \d+ places, uncached`, s)
	assert.Contains(t, s, "== search, 30 citizen queries, first 20, uncached")
	if pgErr == nil {
		assert.Contains(t, s, "leistungsfinder/postgres via graphql layer")
		assert.Contains(t, s, "leistungsfinder/postgres sql only")
		assert.Contains(t, s, "leistungsfinder/postgres fts sql only")
	}
}

// TestBenchFederation runs the federation target briefly over the demo
// catalogue: an empty mirror resyncs from the publisher's snapshot over
// loopback, then the publisher takes office updates for a second, right
// after the resync and again once the mirror has settled. It
// checks what the figures rest on, not the figures: the mirror holds
// every record of the publisher afterwards, and every write arrived.
func TestBenchFederation(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers and writes for a second")
	}
	t.Setenv("TMPDIR", t.TempDir()) // the publisher's and the mirror's data directories
	var out bytes.Buffer
	args := []string{"bench", "-targets", "federation", "-fed-d", "1s", "-write-rate", "50"}
	require.NoError(t, run(context.Background(), args, &out, io.Discard), out.String())
	var summary struct {
		Msg                        string
		Records, Mirrored, Missing int
		Writes, Arrived            int
		WriteErrors                int     `json:"write_errors"`
		ResyncMS                   float64 `json:"resync_ms"`
		LagP99MS                   float64 `json:"lag_p99_ms"`
		SteadyWrites               int     `json:"steady_writes"`
		SteadyArrived              int     `json:"steady_arrived"`
		SteadyWriteErrors          int     `json:"steady_write_errors"`
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, `"msg":"federation: summary"`) {
			require.NoError(t, json.Unmarshal([]byte(line), &summary), line)
		}
	}
	require.Equal(t, "federation: summary", summary.Msg, "no summary line in:\n%s", out.String())
	assert.Greater(t, summary.Records, 30000, "the demo's regions, services, offices and responsibilities")
	assert.Equal(t, summary.Records, summary.Mirrored, "records of the publisher's origin in the mirror after the resync")
	assert.Zero(t, summary.Missing)
	assert.Greater(t, summary.Writes, 10)
	assert.Equal(t, summary.Writes, summary.Arrived, "every write reached the mirror")
	assert.Zero(t, summary.WriteErrors)
	assert.Positive(t, summary.ResyncMS)
	assert.Greater(t, summary.SteadyWrites, 10, "the lag is measured again once the mirror settled")
	assert.Equal(t, summary.SteadyWrites, summary.SteadyArrived, "every write of the steady phase reached the mirror")
	assert.Zero(t, summary.SteadyWriteErrors)
}
