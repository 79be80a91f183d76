package search

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
	"github.com/leistungsfinder/leistungsfinder/catalog/backoff"
)

// TestRunRepairsAFailedRebuild: a rebuild on disk whose new index cannot be
// swapped in, and whose old index does not open again, leaves no index.
// Searches then fail with INTERNAL and Health says so; Run rebuilds with
// backoff (here failing twice more) until an index is there again, instead
// of stopping as if the index had been closed.
func TestRunRepairsAFailedRebuild(t *testing.T) {
	f := newFixture(t)
	ix, err := Open(filepath.Join(t.TempDir(), "search"), f.st, nil)
	require.NoError(t, err)
	t.Cleanup(func() { ix.Close() })
	ix.retry = backoff.Policy{Min: time.Millisecond, Max: 4 * time.Millisecond}

	var mu sync.Mutex
	failOpens := 3 // the old index after the failed swap, then two rebuilds Run tries
	ix.faults = func(step string) error {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case step == "swap" && failOpens == 3:
			return errors.New("injected: no space left on device")
		case step == "open" && failOpens > 0:
			failOpens--
			return errors.New("injected: the index directory is gone")
		}
		return nil
	}
	require.Error(t, ix.Rebuild(ctx, nil))
	_, err = ix.Search(ctx, Request{Query: "hundesteuer"})
	if catalog.ErrorCode(err) != catalog.EINTERNAL || !strings.Contains(err.Error(), "unavailable") {
		t.Fatalf("search without an index: %v, want INTERNAL (unavailable)", err)
	}
	if h := ix.Health(); h.Available {
		t.Fatalf("Health after the failed swap = %+v, want not available", h)
	}

	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ix.Run(runCtx) }()
	sawFailures := false
	timeout := time.After(30 * time.Second) // a guard for a broken Run, not a timing assertion
	for {
		changed := ix.health.wait()
		h := ix.Health()
		sawFailures = sawFailures || h.Failures >= 2
		if sawFailures && h.Available && h.Failures == 0 {
			if !strings.Contains(h.LastError, "the index directory is gone") {
				t.Errorf("Health.LastError = %q, want the injected failure", h.LastError)
			}
			break
		}
		select {
		case <-changed:
		case err := <-done:
			t.Fatalf("Run returned %v while the index was unavailable; want it to retry", err)
		case <-timeout:
			t.Fatalf("Run did not repair the index: %+v", ix.Health())
		}
	}
	res, err := ix.Search(ctx, Request{Query: "hundesteuer"})
	require.NoError(t, err)
	if res.Total == 0 {
		t.Errorf("search after the repair found nothing")
	}
	stop()
	require.NoError(t, <-done)
}
