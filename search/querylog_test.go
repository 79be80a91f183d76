package search

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestNormalizeQuery(t *testing.T) {
	for in, want := range map[string]string{
		"  Perso   VERLOREN!! ":         "perso verloren",
		"🙂🙂":                            "",
		"ruf mich an 0561123456":        "ruf mich an #",
		"hundesteuer 37269":             "hundesteuer 37269",
		"mail an max@example.org bitte": "mail an bitte",
		"Führerschein – umtauschen?":    "führerschein umtauschen",
		"a\x00b":                        "a b",
		string(make([]byte, 0)):         "",
	} {
		assert.Equal(t, want, NormalizeQuery(in), "%q", in)
	}
	long := ""
	for i := 0; i < 60; i++ {
		long += "wort "
	}
	assert.LessOrEqual(t, len([]rune(NormalizeQuery(long))), maxLoggedQueryLen)
}

func TestQueryLogInsights(t *testing.T) {
	for _, name := range []string{"Memory", "File"} {
		t.Run(name, func(t *testing.T) {
			clock := &fakeClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
			path := ""
			if name == "File" {
				path = filepath.Join(t.TempDir(), "searchlog.db")
			}
			l, err := OpenQueryLog(path, QueryLogOptions{Now: clock.Now, RetentionDays: 30, MinRequests: 3, MinDays: 2})
			require.NoError(t, err)
			defer l.Close()
			start := clock.Now()

			// Day 1: "knöllchen" finds nothing three times, "perso" finds and is opened,
			// "mein nachbar herr müller" once (a personal search).
			for i := 0; i < 3; i++ {
				l.Record("Knöllchen", 0)
			}
			id := l.Record("perso", 4)
			require.NoError(t, l.Feedback(id))
			for i := 0; i < 3; i++ {
				l.Record("ummelden", 7)
			}
			l.Record("mein nachbar herr müller", 0)
			require.NoError(t, l.Flush())

			in, err := l.Insights(start, 10)
			require.NoError(t, err)
			assert.Empty(t, in.NoResults, "one day is below the threshold of two days")
			assert.Equal(t, 8, in.Searches)
			assert.InDelta(t, 4.0/8, in.ZeroResultRate, 1e-9)

			// Day 2: asked again (one of them not flushed yet).
			clock.Add(24 * time.Hour)
			l.Record("knöllchen", 0)
			require.NoError(t, l.Flush())
			l.Record("KNÖLLCHEN", 0)
			l.Record("ummelden", 5)
			l.Record("perso", 3)
			in, err = l.Insights(start, 10)
			require.NoError(t, err)
			require.Len(t, in.NoResults, 1)
			assert.Equal(t, QueryStat{Query: "knöllchen", Requests: 5, Days: 2, Zero: 5}, in.NoResults[0])
			require.Len(t, in.NoClicks, 1, "ummelden found things nobody opened; perso was opened; the neighbour stays hidden")
			assert.Equal(t, "ummelden", in.NoClicks[0].Query)
			for _, s := range append(in.NoResults, in.NoClicks...) {
				assert.NotContains(t, s.Query, "müller")
			}

			// Retention: 31 days later the first days are gone.
			clock.Add(31 * 24 * time.Hour)
			require.NoError(t, l.Flush())
			in, err = l.Insights(start, 10)
			require.NoError(t, err)
			assert.Zero(t, in.Searches, "past the retention")
			assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(l.Feedback(id)), "feedback for a query past the retention")
		})
	}
}

func TestQueryLogFeedbackErrors(t *testing.T) {
	l, err := OpenQueryLog("", QueryLogOptions{})
	require.NoError(t, err)
	for _, id := range []string{"", "nonsense", encodeQueryID(dayQuery{"2026-01-01", "never asked"}), "q1", string(make([]byte, 5000))} {
		assert.Equal(t, catalog.EINVALID, catalog.ErrorCode(l.Feedback(id)), "%q", id)
	}
	id := l.Record("perso", 1)
	require.NoError(t, l.Feedback(id))
	require.NoError(t, l.Feedback(id), "more feedback than requests is ignored, not an error")
	require.NoError(t, l.Flush())
	in, err := l.Insights(time.Time{}, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, in.Searches)
	assert.Empty(t, l.Record("🙂", 0), "nothing to log for emoji only")
	s, z := l.Totals()
	assert.Equal(t, uint64(2), s)
	assert.Equal(t, uint64(1), z)
}
