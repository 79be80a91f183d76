package graph

import (
	"crypto/sha256"
	"encoding/json"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
)

// responseCache keeps whole answers to anonymous reads, the least recently
// used dropped first. An entry is only served while the store (and the
// search index) are at the revision it was computed at, so a write makes
// every older entry unreachable at once; a short lifetime on the store's
// clock bounds what depends on the date (validity periods).
// Requests with a token, mutations, answers with errors, and large answers
// are never cached; the handler asks the cache only after a request has
// passed the transport checks, parsing, validation and the limits, so a
// request that would fail is never answered from it.
type responseCache struct {
	lru *lru.Cache[[32]byte, *cachedResponse]
	ttl time.Duration
	now func() time.Time // the store's clock
}

type cachedResponse struct {
	key     [32]byte
	rev     uint64
	body    []byte
	created time.Time // on the store's clock
	// searches are the searches the answer logged, logged again when it
	// is served from the cache.
	searches []loggedSearch
}

// loggedSearch is a search a request recorded in the query log.
type loggedSearch struct {
	query string
	hits  int
}

// searchesLogged collects the searches of one request (a request may have
// several search fields under aliases, resolved concurrently).
type searchesLogged struct {
	mu sync.Mutex
	s  []loggedSearch
}

type searchesKey struct{}

func (l *searchesLogged) add(query string, hits int) {
	l.mu.Lock()
	l.s = append(l.s, loggedSearch{query, hits})
	l.mu.Unlock()
}

func (l *searchesLogged) list() []loggedSearch {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.s
}

const maxCachedBody = 256 << 10

// newResponseCache returns a cache of max answers (max > 0).
func newResponseCache(max int, ttl time.Duration, now func() time.Time) *responseCache {
	c, err := lru.New[[32]byte, *cachedResponse](max)
	if err != nil {
		panic(err) // only for max <= 0, which the caller excludes
	}
	return &responseCache{lru: c, ttl: ttl, now: now}
}

// rawCacheKey is the key of a request by its bytes: method, response media
// type, Accept-Language and the query string (GET) or body (POST).
func rawCacheKey(method, media, acceptLanguage string, raw []byte) [32]byte {
	return hashKey(raw, "raw", method, media, acceptLanguage)
}

// cacheKey covers everything an anonymous answer depends on besides the
// data: the response media type, the Accept-Language header and the
// GraphQL parameters as the request was run (a persisted query's text is
// filled in by then), whether they came by GET or POST.
func cacheKey(media, acceptLanguage string, p *graphql.RawParams) [32]byte {
	vars, _ := json.Marshal(p.Variables) // map keys sorted: one key for one set of variables
	return hashKey(vars, "params", media, acceptLanguage, p.OperationName, p.Query)
}

// hashKey hashes the parts, each ended by a zero byte, then the tail.
func hashKey(tail []byte, parts ...string) [32]byte {
	h := sha256.New()
	for _, part := range parts {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(tail)
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *responseCache) get(k [32]byte, rev uint64) *cachedResponse {
	cr, ok := c.lru.Get(k)
	if !ok {
		return nil
	}
	if now := c.now(); cr.rev != rev || now.Before(cr.created) || now.Sub(cr.created) > c.ttl {
		c.lru.Remove(k)
		return nil
	}
	return cr
}

func (c *responseCache) put(cr *cachedResponse) {
	if len(cr.body) > maxCachedBody {
		return
	}
	c.lru.Add(cr.key, cr)
}
