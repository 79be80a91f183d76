package search

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"

	bolt "go.etcd.io/bbolt"

	"github.com/leistungsfinder/leistungsfinder/catalog"
)

// QueryLog records what people search for, anonymously, so that the
// editorial office learns what they did not find and which terms in context
// to add. It keeps only the normalised query text (see NormalizeQuery), and
// per day how often it was asked, how often it found nothing and how often
// a hit was opened (Feedback). Never an address, a token, a user agent or
// the time of day: nothing that says who asked.
//
// Counts are gathered in memory and written to a bbolt file of its own by
// Flush (serve flushes every minute and on shutdown), so that a search never
// waits for a disk write. Days older than the retention are deleted at every
// flush. Insights shows a query only when it was asked at least MinRequests
// times on at least MinDays days, so that no rare, personal search is ever
// shown to an editor.
type QueryLog struct {
	db  *bolt.DB // nil: in memory only
	opt QueryLogOptions

	// flushing is held by Flush while it writes the pending counts and
	// then takes them out of pending, and shared by Feedback and Insights
	// while they add pending and stored counts: so they see every count
	// once, either pending or stored. Record never takes it: a search
	// never waits for a flush.
	flushing sync.RWMutex
	mu       sync.Mutex                // guards pending; mem and the file change only under flushing too
	pending  map[dayQuery]*QueryCounts // not yet flushed
	mem      map[dayQuery]*QueryCounts // flushed counts when there is no file

	searches, zero atomic.Uint64 // since start, for the metrics
	day            atomic.Pointer[dayString]
}

// QueryLogOptions configure a QueryLog.
type QueryLogOptions struct {
	// Now is the clock (the store's); nil is time.Now.
	Now func() time.Time
	// RetentionDays is how many days of counts are kept (default 90).
	RetentionDays int
	// MinRequests and MinDays are the threshold a query must reach before
	// Insights shows it (defaults 5 and 2).
	MinRequests, MinDays int
	// MaxPerDay bounds the distinct queries recorded per day (default
	// 50,000); further new ones are counted in the totals only.
	MaxPerDay int
}

// QueryCounts are the counts of one query on one day.
type QueryCounts struct {
	Requests int `json:"n"`
	Zero     int `json:"zero,omitempty"`   // requests without any hit
	Opened   int `json:"opened,omitempty"` // hits opened from its results (Feedback)
}

// add adds o's counts to c.
func (c *QueryCounts) add(o QueryCounts) {
	c.Requests += o.Requests
	c.Zero += o.Zero
	c.Opened += o.Opened
}

type dayQuery struct{ day, query string }

var bucketQueries = []byte("queries") // day "2006-01-02" 0 normalised query -> QueryCounts JSON

const (
	maxLoggedQueryLen = 100 // runes of a normalised query
	dayLayout         = "2006-01-02"
)

// OpenQueryLog opens the query log in the bbolt file at path ("" keeps it
// in memory, for tests).
func OpenQueryLog(path string, opt QueryLogOptions) (*QueryLog, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.RetentionDays <= 0 {
		opt.RetentionDays = 90
	}
	if opt.MinRequests <= 0 {
		opt.MinRequests = 5
	}
	if opt.MinDays <= 0 {
		opt.MinDays = 2
	}
	if opt.MaxPerDay <= 0 {
		opt.MaxPerDay = 50000
	}
	l := &QueryLog{opt: opt, pending: map[dayQuery]*QueryCounts{}, mem: map[dayQuery]*QueryCounts{}}
	if path == "" {
		return l, nil
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, catalog.Internal(fmt.Errorf("open query log: %w", err))
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(bucketQueries); return err }); err != nil {
		db.Close()
		return nil, catalog.Internal(err)
	}
	l.db = db
	return l, nil
}

// Close flushes and closes the file.
func (l *QueryLog) Close() error {
	err := l.Flush()
	if l.db != nil {
		if cerr := l.db.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// Options returns the options in effect (with defaults).
func (l *QueryLog) Options() QueryLogOptions { return l.opt }

// NormalizeQuery is the form a query is logged in: lower case, words only
// (punctuation and symbols such as emoji removed), runs of six or more
// digits replaced by "#" (phone numbers, IDs), words with "@" dropped
// (e-mail addresses), at most 100 characters. "" when nothing is left.
func NormalizeQuery(q string) string {
	q, err := cleanQuery(q)
	if err != nil {
		return ""
	}
	var words []string
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if strings.Contains(w, "@") {
			continue
		}
		w = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' {
				return r
			}
			return -1
		}, w)
		w = strings.Trim(w, "-")
		if w == "" {
			continue
		}
		words = append(words, maskDigits(w))
	}
	out := strings.Join(words, " ")
	if r := []rune(out); len(r) > maxLoggedQueryLen {
		out = strings.TrimSpace(string(r[:maxLoggedQueryLen]))
	}
	return out
}

func maskDigits(w string) string {
	var b strings.Builder
	run := 0
	flush := func(digits string) {
		if run >= 6 {
			b.WriteByte('#')
		} else {
			b.WriteString(digits)
		}
	}
	start := 0
	rs := []rune(w)
	for i, r := range rs {
		if unicode.IsDigit(r) {
			if run == 0 {
				start = i
			}
			run++
			continue
		}
		if run > 0 {
			flush(string(rs[start:i]))
			run = 0
		}
		b.WriteRune(r)
	}
	if run > 0 {
		flush(string(rs[start:]))
	}
	return b.String()
}

// Record counts one search with the number of hits it found and returns
// the query's ID for Feedback; "" when the query has nothing to log.
func (l *QueryLog) Record(query string, hits int) string {
	l.searches.Add(1)
	if hits == 0 {
		l.zero.Add(1)
	}
	n := NormalizeQuery(query)
	if n == "" {
		return ""
	}
	k := dayQuery{l.today(), n}
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.pending[k]
	if c == nil {
		if len(l.pending) >= l.opt.MaxPerDay {
			return ""
		}
		c = &QueryCounts{}
		l.pending[k] = c
	}
	c.Requests++
	if hits == 0 {
		c.Zero++
	}
	return encodeQueryID(k)
}

// today is the day a search now is counted under, formatted once a day
// rather than once a search.
func (l *QueryLog) today() string {
	y, m, d := l.opt.Now().UTC().Date()
	if c := l.day.Load(); c != nil && c.y == y && c.m == m && c.d == d {
		return c.s
	}
	c := &dayString{y: y, m: m, d: d, s: time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(dayLayout)}
	l.day.Store(c)
	return c.s
}

type dayString struct {
	y, d int
	m    time.Month
	s    string
}

func encodeQueryID(k dayQuery) string {
	return base64.RawURLEncoding.EncodeToString([]byte("q1\x00" + k.day + "\x00" + k.query))
}

func decodeQueryID(id string) (dayQuery, bool) {
	if len(id) > 4*maxLoggedQueryLen+64 {
		return dayQuery{}, false
	}
	b, err := base64.RawURLEncoding.DecodeString(id)
	if err != nil {
		return dayQuery{}, false
	}
	p := strings.SplitN(string(b), "\x00", 3)
	if len(p) != 3 || p[0] != "q1" {
		return dayQuery{}, false
	}
	if _, err := time.Parse(dayLayout, p[1]); err != nil {
		return dayQuery{}, false
	}
	return dayQuery{p[1], p[2]}, true
}

// Feedback records that a hit of a logged query was opened. A query ID that
// is malformed, unknown or past the retention is INVALID; the caller checks
// the service. A query is never counted as opened more often than it was
// asked.
func (l *QueryLog) Feedback(queryID string) error {
	k, ok := decodeQueryID(queryID)
	if !ok {
		return catalog.Invalid("queryId", "unknown", "not a query ID of this portal's search")
	}
	l.flushing.RLock()
	defer l.flushing.RUnlock()
	// The stored counts change only in a flush, which waits for us: they
	// are read without holding mu, so that searches do not wait for it.
	stored, err := l.stored(k)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var sum QueryCounts
	if stored != nil {
		sum.add(*stored)
	}
	c := l.pending[k]
	if c != nil {
		sum.add(*c)
	}
	if sum.Requests == 0 {
		return catalog.Invalid("queryId", "unknown", "no such query in the search log (or past its retention)")
	}
	if sum.Opened >= sum.Requests {
		return nil
	}
	if c == nil {
		c = &QueryCounts{}
		l.pending[k] = c
	}
	c.Opened++
	return nil
}

func (l *QueryLog) stored(k dayQuery) (*QueryCounts, error) {
	if l.db == nil {
		if c := l.mem[k]; c != nil {
			cp := *c
			return &cp, nil
		}
		return nil, nil
	}
	var out *QueryCounts
	err := l.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketQueries).Get(logKey(k))
		if v == nil {
			return nil
		}
		out = &QueryCounts{}
		return json.Unmarshal(v, out)
	})
	if err != nil {
		return nil, catalog.Internal(err)
	}
	return out, nil
}

func logKey(k dayQuery) []byte { return []byte(k.day + "\x00" + k.query) }

// Flush writes the counts gathered since the last flush and deletes the
// days past the retention, in one transaction. The counts stay pending
// until they are written, and stay pending for the next flush when the
// write fails.
func (l *QueryLog) Flush() error {
	l.flushing.Lock()
	defer l.flushing.Unlock()
	cutoff := l.opt.Now().UTC().AddDate(0, 0, -l.opt.RetentionDays).Format(dayLayout)
	l.mu.Lock()
	if l.db == nil {
		for k, c := range l.pending {
			merge(l.mem, k, c)
		}
		l.pending = map[dayQuery]*QueryCounts{}
		for k := range l.mem {
			if k.day < cutoff {
				delete(l.mem, k)
			}
		}
		l.mu.Unlock()
		return nil
	}
	written := make(map[dayQuery]QueryCounts, len(l.pending))
	for k, c := range l.pending {
		written[k] = *c
	}
	l.mu.Unlock()
	err := l.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketQueries)
		for k, c := range written {
			sum := c
			if v := b.Get(logKey(k)); v != nil {
				var old QueryCounts
				if err := json.Unmarshal(v, &old); err == nil {
					sum.add(old)
				}
			}
			data, err := json.Marshal(sum)
			if err != nil {
				return err
			}
			if err := b.Put(logKey(k), data); err != nil {
				return err
			}
		}
		cur := b.Cursor()
		for key, _ := cur.First(); key != nil && string(key[:min(len(key), len(dayLayout))]) < cutoff; key, _ = cur.First() {
			if err := cur.Delete(); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return catalog.Internal(fmt.Errorf("flush query log: %w", err))
	}
	// Searches counted meanwhile stay pending.
	l.mu.Lock()
	for k, w := range written {
		c := l.pending[k]
		c.add(QueryCounts{Requests: -w.Requests, Zero: -w.Zero, Opened: -w.Opened})
		if *c == (QueryCounts{}) {
			delete(l.pending, k)
		}
	}
	l.mu.Unlock()
	return nil
}

func merge(m map[dayQuery]*QueryCounts, k dayQuery, c *QueryCounts) {
	cur := m[k]
	if cur == nil {
		cur = &QueryCounts{}
		m[k] = cur
	}
	cur.add(*c)
}

// QueryStat is one query over the days asked for.
type QueryStat struct {
	Query    string
	Requests int
	Days     int // distinct days it was asked on
	Zero     int
	Opened   int
}

// Insights is what editors read: the searches since a day, their
// zero-result rate, and the most frequent queries that found nothing or
// whose results nobody opened, above the anonymity threshold.
type Insights struct {
	Since          time.Time // first day counted (clamped to the retention)
	Searches       int
	ZeroResults    int
	ZeroResultRate float64
	// NoResults are queries that found nothing at least once; NoClicks are
	// queries that found something but whose hits were never opened. Most
	// asked first, at most limit each.
	NoResults, NoClicks []QueryStat
	MinRequests         int
	MinDays             int
	RetentionDays       int
}

// Insights summarises the log from the day of since until today, with at
// most limit queries per list (default 50, at most 500).
func (l *QueryLog) Insights(since time.Time, limit int) (*Insights, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 500)
	now := l.opt.Now().UTC()
	oldest := now.AddDate(0, 0, -l.opt.RetentionDays)
	since = since.UTC()
	if since.Before(oldest) {
		since = oldest
	}
	from := since.Format(dayLayout)
	byQuery := map[string]*QueryStat{}
	add := func(k dayQuery, c QueryCounts, newDay bool) {
		s := byQuery[k.query]
		if s == nil {
			s = &QueryStat{Query: k.query}
			byQuery[k.query] = s
		}
		s.Requests += c.Requests
		s.Zero += c.Zero
		s.Opened += c.Opened
		if newDay {
			s.Days++
		}
	}
	l.flushing.RLock()
	defer l.flushing.RUnlock()
	l.mu.Lock()
	counted := map[dayQuery]bool{}
	for k, c := range l.pending {
		if k.day >= from {
			add(k, *c, true)
			counted[k] = true
		}
	}
	for k, c := range l.mem {
		if k.day >= from {
			add(k, *c, !counted[k])
		}
	}
	l.mu.Unlock()
	if l.db != nil {
		err := l.db.View(func(tx *bolt.Tx) error {
			c := tx.Bucket(bucketQueries).Cursor()
			for key, v := c.Seek([]byte(from)); key != nil; key, v = c.Next() {
				day, q, ok := bytes.Cut(key, []byte{0})
				if !ok {
					continue
				}
				var qc QueryCounts
				if err := json.Unmarshal(v, &qc); err != nil {
					continue
				}
				k := dayQuery{string(day), string(q)}
				add(k, qc, !counted[k])
			}
			return nil
		})
		if err != nil {
			return nil, catalog.Internal(err)
		}
	}
	in := &Insights{Since: since.Truncate(24 * time.Hour), MinRequests: l.opt.MinRequests, MinDays: l.opt.MinDays,
		RetentionDays: l.opt.RetentionDays, NoResults: []QueryStat{}, NoClicks: []QueryStat{}}
	for _, s := range byQuery {
		in.Searches += s.Requests
		in.ZeroResults += s.Zero
		if s.Requests < l.opt.MinRequests || s.Days < l.opt.MinDays {
			continue
		}
		if s.Zero > 0 {
			in.NoResults = append(in.NoResults, *s)
		} else if s.Opened == 0 {
			in.NoClicks = append(in.NoClicks, *s)
		}
	}
	if in.Searches > 0 {
		in.ZeroResultRate = float64(in.ZeroResults) / float64(in.Searches)
	}
	for _, list := range []*[]QueryStat{&in.NoResults, &in.NoClicks} {
		sort.Slice(*list, func(i, j int) bool {
			a, b := (*list)[i], (*list)[j]
			if a.Requests != b.Requests {
				return a.Requests > b.Requests
			}
			return a.Query < b.Query
		})
		if len(*list) > limit {
			*list = (*list)[:limit]
		}
	}
	return in, nil
}

// Totals returns the searches and those without any hit since the log was
// opened, for the metrics.
func (l *QueryLog) Totals() (searches, zero uint64) { return l.searches.Load(), l.zero.Load() }
