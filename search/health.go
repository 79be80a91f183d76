package search

import (
	"sync"
	"time"
)

// Health is how well the index follows the store, for /readyz and metrics.
type Health struct {
	// Available: an index serves searches. It is false only after a
	// rebuilt index could not be swapped in and the old one could not be
	// reopened; Run rebuilds until one is there again.
	Available bool
	// Failures counts the catch-ups and rebuilds that failed in a row
	// (0: following the change log).
	Failures int
	// LastError and LastErrorAt describe the last failure (kept after
	// recovery).
	LastError   string
	LastErrorAt time.Time
}

// Health returns the index's health.
func (ix *Index) Health() Health {
	ix.mu.RLock()
	available := ix.cur != nil
	ix.mu.RUnlock()
	h := ix.health.get()
	h.Available = available
	return h
}

// health is the failure record Run keeps; changed lets tests wait for the
// next update instead of sleeping.
type health struct {
	mu      sync.Mutex
	h       Health
	changed chan struct{}
}

func (s *health) get() Health {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.h
}

// failed records a failure and returns the failures in a row.
func (s *health) failed(err error, at time.Time) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.h.Failures++
	s.h.LastError, s.h.LastErrorAt = err.Error(), at
	s.notify()
	return s.h.Failures
}

// recovered records a success and returns the failures in a row it ended.
func (s *health) recovered() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.h.Failures
	if n != 0 {
		s.h.Failures = 0
		s.notify()
	}
	return n
}

// wait returns a channel closed at the next change (with s.mu not held).
func (s *health) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed == nil {
		s.changed = make(chan struct{})
	}
	return s.changed
}

func (s *health) notify() {
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
}
