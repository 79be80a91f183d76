package catalog

import (
	"bytes"

	lru "github.com/hashicorp/golang-lru/v2"
)

// recordCache keeps decoded records for read transactions. Decoding a
// service's JSON costs more than everything else a lookup for a place does,
// and reads outnumber writes by far. An entry is valid while the stored
// bytes are the same: the cache compares them, so no write path has to
// invalidate anything, and a rolled-back write cannot leave a stale entry.
// It holds at most maxCached records, the least recently used dropped
// first; lru.Cache locks itself, so concurrent readers share it.
type recordCache struct {
	lru *lru.Cache[cacheKey, cacheEntry]
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

func newRecordCache() recordCache {
	c, err := lru.New[cacheKey, cacheEntry](maxCached)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return recordCache{lru: c}
}

func (c recordCache) get(k Kind, id string, raw []byte) Record {
	e, ok := c.lru.Get(cacheKey{k, id})
	if ok && bytes.Equal(e.raw, raw) {
		return e.rec
	}
	return nil
}

func (c recordCache) put(k Kind, id string, raw []byte, r Record) {
	// raw points into bbolt's memory map, valid only during the
	// transaction: keep a copy.
	c.lru.Add(cacheKey{k, id}, cacheEntry{raw: bytes.Clone(raw), rec: r})
}
