package catalog

import (
	"bytes"
	"sync"
)

// recordCache keeps decoded records for read transactions. Decoding a
// service's JSON costs more than everything else a lookup for a place does,
// and reads outnumber writes by far. An entry is valid while the stored
// bytes are the same: the cache compares them, so no write path has to
// invalidate anything, and a rolled-back write cannot leave a stale entry.
type recordCache struct {
	mu      sync.RWMutex
	entries map[cacheKey]cacheEntry
}

type cacheKey struct {
	kind Kind
	id   string
}

type cacheEntry struct {
	raw []byte
	rec Record
}

// maxCached bounds the cache; the demo catalogue has about 33,000 records.
const maxCached = 100_000

func (c *recordCache) get(k Kind, id string, raw []byte) Record {
	c.mu.RLock()
	e, ok := c.entries[cacheKey{k, id}]
	c.mu.RUnlock()
	if ok && bytes.Equal(e.raw, raw) {
		return e.rec
	}
	return nil
}

func (c *recordCache) put(k Kind, id string, raw []byte, r Record) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[cacheKey]cacheEntry{}
	}
	if len(c.entries) >= maxCached {
		// Drop an arbitrary tenth; map order is random enough for a cache.
		n := 0
		for key := range c.entries {
			delete(c.entries, key)
			if n++; n >= maxCached/10 {
				break
			}
		}
	}
	// raw points into bbolt's memory map, valid only during the
	// transaction: keep a copy.
	c.entries[cacheKey{k, id}] = cacheEntry{raw: bytes.Clone(raw), rec: r}
}
