package graph

import (
	"container/list"
	"crypto/sha256"
	"net/http"
	"sync"
	"time"
)

// responseCache keeps whole answers to anonymous reads. An entry is only
// served while the store (and the search index) are at the revision it was
// computed at, so a write makes every older entry unreachable at once; a
// short lifetime bounds what depends on the clock (validity dates).
// Requests with a token, errors, and large answers are never cached.
type responseCache struct {
	mu    sync.Mutex
	max   int
	ttl   time.Duration
	ll    *list.List
	items map[[32]byte]*list.Element
}

type cachedResponse struct {
	key     [32]byte
	rev     uint64
	at      time.Time
	status  int
	header  http.Header
	body    []byte
	created time.Time
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

func newResponseCache(max int, ttl time.Duration) *responseCache {
	return &responseCache{max: max, ttl: ttl, ll: list.New(), items: map[[32]byte]*list.Element{}}
}

// cacheKey covers everything an anonymous answer depends on besides the
// data: method, query or body, and the headers that change the answer.
func cacheKey(r *http.Request, body []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(r.Method + "\n" + r.URL.RawQuery + "\n" + r.Header.Get("Accept-Language") + "\n" + r.Header.Get("Accept") + "\n"))
	h.Write(body)
	var k [32]byte
	copy(k[:], h.Sum(nil))
	return k
}

func (c *responseCache) get(k [32]byte, rev uint64) *cachedResponse {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return nil
	}
	cr := e.Value.(*cachedResponse)
	if cr.rev != rev || time.Since(cr.created) > c.ttl {
		c.ll.Remove(e)
		delete(c.items, k)
		return nil
	}
	c.ll.MoveToFront(e)
	return cr
}

func (c *responseCache) put(cr *cachedResponse) {
	if len(cr.body) > maxCachedBody {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[cr.key]; ok {
		c.ll.Remove(e)
	}
	c.items[cr.key] = c.ll.PushFront(cr)
	for c.ll.Len() > c.max {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cachedResponse).key)
	}
}
