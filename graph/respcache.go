package graph

import (
	"container/list"
	"crypto/sha256"
	"encoding/json"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// responseCache keeps whole answers to anonymous reads. An entry is only
// served while the store (and the search index) are at the revision it was
// computed at, so a write makes every older entry unreachable at once; a
// short lifetime bounds what depends on the clock (validity dates).
// Requests with a token, mutations, answers with errors, and large answers
// are never cached; the handler asks the cache only after a request has
// passed the transport checks, parsing, validation and the limits, so a
// request that would fail is never answered from it.
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
	body    []byte
	created time.Time
}

const maxCachedBody = 256 << 10

func newResponseCache(max int, ttl time.Duration) *responseCache {
	return &responseCache{max: max, ttl: ttl, ll: list.New(), items: map[[32]byte]*list.Element{}}
}

// cacheKey covers everything an anonymous answer depends on besides the
// data: the response media type, the Accept-Language header and the
// GraphQL parameters as the request was run (a persisted query's text is
// filled in by then), whether they came by GET or POST.
func cacheKey(media, acceptLanguage string, p *graphql.RawParams) [32]byte {
	h := sha256.New()
	vars, _ := json.Marshal(p.Variables) // map keys sorted: one key for one set of variables
	for _, part := range []string{media, acceptLanguage, p.OperationName, p.Query} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write(vars)
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
