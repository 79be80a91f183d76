package search

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recordingHandler keeps every log record's attributes, by message.
type recordingHandler struct {
	mu    sync.Mutex
	attrs map[string]map[string]slog.Value
}

func (h *recordingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordingHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *recordingHandler) WithGroup(string) slog.Handler            { return h }
func (h *recordingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	m := map[string]slog.Value{}
	r.Attrs(func(a slog.Attr) bool { m[a.Key] = a.Value; return true })
	h.attrs[r.Message] = m
	return nil
}

// TestBuildLogsExactDuration: the "search index built" line carries the
// build's duration as measured, like every other took field (the command's
// logger writes it as took_ms with the fraction), not rounded to whole
// milliseconds.
func TestBuildLogsExactDuration(t *testing.T) {
	f := newFixture(t)
	h := &recordingHandler{attrs: map[string]map[string]slog.Value{}}
	ix, err := Open("", f.st, slog.New(h))
	require.NoError(t, err)
	t.Cleanup(func() { ix.Close() })

	h.mu.Lock()
	defer h.mu.Unlock()
	attrs, ok := h.attrs["search index built"]
	require.True(t, ok, "the build logs its summary line")
	took := attrs["took"]
	require.Equal(t, slog.KindDuration, took.Kind(), "took is a duration")
	assert.Positive(t, took.Duration())
	// A measured duration is a whole number of milliseconds once in a
	// million builds; a rounded one always is.
	assert.NotZero(t, took.Duration()%time.Millisecond, "took %v is rounded to milliseconds", took.Duration())
}
