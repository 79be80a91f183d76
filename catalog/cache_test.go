package catalog

import (
	"fmt"
	"sync"
	"testing"
)

// TestRecordCache: a cached record is served only for the bytes it was
// decoded from, the cache holds at most maxCached records and drops the
// least recently used first, and readers and writers may use it at once
// (run with -race).
func TestRecordCache(t *testing.T) {
	c := newRecordCache()
	v1, v2 := []byte(`{"revision":1}`), []byte(`{"revision":2}`)
	r1, r2 := &Service{}, &Service{}
	c.put(KindService, "s", v1, r1)
	if got := c.get(KindService, "s", v1); got != r1 {
		t.Fatalf("same bytes: got %v, want the cached record", got)
	}
	if got := c.get(KindService, "s", v2); got != nil {
		t.Fatalf("the stored bytes changed: got %v, want nothing", got)
	}
	if got := c.get(KindOffice, "s", v1); got != nil {
		t.Fatalf("another kind with the same ID: got %v, want nothing", got)
	}
	c.put(KindService, "s", v2, r2)
	if got := c.get(KindService, "s", v2); got != r2 {
		t.Fatalf("after the new bytes were cached: got %v, want the new record", got)
	}

	// "s" is read while the cache fills up: it stays, the oldest go.
	for i := range maxCached + maxCached/10 {
		c.put(KindOffice, fmt.Sprint(i), v1, r1)
		if i%1000 == 0 {
			c.get(KindService, "s", v2)
		}
	}
	if n := c.lru.Len(); n > maxCached {
		t.Errorf("%d records cached, at most %d", n, maxCached)
	}
	if c.get(KindService, "s", v2) != r2 {
		t.Error("a record read all along was dropped")
	}
	if c.get(KindOffice, "0", v1) != nil {
		t.Error("the least recently used record is still there")
	}

	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 2000 {
				id := fmt.Sprint(i % 100)
				if c.get(KindRegion, id, v1) == nil {
					c.put(KindRegion, id, v1, &Region{})
				}
				if g == 0 && i%10 == 0 {
					c.put(KindRegion, id, v2, &Region{})
				}
			}
		}()
	}
	wg.Wait()
}
