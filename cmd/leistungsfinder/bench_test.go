package main

import (
	"bytes"
	"context"
	"io"
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
