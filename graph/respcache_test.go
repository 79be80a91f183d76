package graph

import (
	"testing"
	"time"

	"github.com/leistungsfinder/leistungsfinder/catalog/catalogtest"
)

// TestResponseCacheEviction: the least recently used answer goes first; an
// answer is not served after the store's revision moved or its lifetime
// passed on the store's clock.
func TestResponseCacheEviction(t *testing.T) {
	clock := catalogtest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	c := newResponseCache(2, 30*time.Second, clock.Now)
	put := func(k byte) { c.put(&cachedResponse{key: [32]byte{k}, rev: 1, created: clock.Now(), body: []byte{k}}) }
	has := func(k byte) bool { return c.get([32]byte{k}, 1) != nil }
	put(1)
	put(2)
	if !has(1) { // 1 is now the most recently used
		t.Fatal("answer 1 missing right after it was put")
	}
	put(3)
	if has(2) || !has(1) || !has(3) {
		t.Errorf("after a third answer: has 1 %v, 2 %v, 3 %v; want 2 (least recently used) evicted", has(1), has(2), has(3))
	}
	if c.get([32]byte{1}, 2) != nil {
		t.Error("answer 1 served at another revision")
	}
	clock.Add(31 * time.Second)
	if has(3) {
		t.Error("answer 3 served after its lifetime on the store's clock")
	}
}
