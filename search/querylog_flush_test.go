package search

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueryLogConcurrentFlush runs Flush, Feedback and Insights at the same
// time, round after round, on a log in a file. While a flush writes the
// counts to the file they must stay visible: Feedback for a query just
// asked is accepted, and Insights counts every search exactly once.
func TestQueryLogConcurrentFlush(t *testing.T) {
	clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	l, err := OpenQueryLog(filepath.Join(t.TempDir(), "searchlog.db"), QueryLogOptions{Now: clock.Now})
	require.NoError(t, err)
	defer l.Close()

	const (
		rounds    = 40
		asks      = 5 // per query; the even ones find nothing
		zeroAsks  = 3
		feedbacks = 3
		readers   = 3
	)
	searches, zero := 0, 0
	ids := map[string]string{}
	for r := 0; r < rounds; r++ {
		q := fmt.Sprintf("frage %d", r)
		var id string
		for i := 0; i < asks; i++ {
			id = l.Record(q, i%2)
		}
		require.NotEmpty(t, id)
		ids[q] = id
		searches += asks
		zero += zeroAsks

		start := make(chan struct{})
		var wg sync.WaitGroup
		run := func(fn func()) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				fn()
			}()
		}
		run(func() { assert.NoError(t, l.Flush()) })
		for i := 0; i < feedbacks; i++ {
			run(func() { assert.NoError(t, l.Feedback(id), "feedback for %q during a flush", q) })
		}
		for i := 0; i < readers; i++ {
			run(func() {
				in, err := l.Insights(time.Time{}, 0)
				if assert.NoError(t, err) {
					assert.Equal(t, searches, in.Searches, "searches counted during a flush (round %d)", r)
					assert.Equal(t, zero, in.ZeroResults, "searches without hits counted during a flush (round %d)", r)
				}
			})
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			break
		}
	}

	require.NoError(t, l.Flush())
	for q, id := range ids {
		k, ok := decodeQueryID(id)
		require.True(t, ok)
		got, err := l.stored(k)
		require.NoError(t, err)
		require.NotNil(t, got, q)
		assert.Equal(t, QueryCounts{Requests: asks, Zero: zeroAsks, Opened: feedbacks}, *got, q)
	}
	assert.Empty(t, l.pending, "everything flushed")
}
