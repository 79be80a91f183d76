package backoff

import (
	"context"
	"math/rand/v2"
	"time"
)

// Policy bounds the waits: the first failure waits about Min, every further
// one twice as long, never more than Max.
type Policy struct {
	Min, Max time.Duration
}

// Delay returns the wait after n consecutive failures (n >= 1): the
// exponential step d, of which half is fixed and half random, so the wait
// lies in [d/2, d].
func (p Policy) Delay(n int) time.Duration {
	d := p.Min
	for i := 1; i < n && d < p.Max; i++ {
		d *= 2
	}
	d = min(d, p.Max)
	return d/2 + rand.N(d/2+1)
}

// Wait waits the delay after n consecutive failures. It returns false
// when ctx ended first.
func (p Policy) Wait(ctx context.Context, n int) bool {
	return Sleep(ctx, p.Delay(n))
}

// Sleep waits d (no time when d <= 0). It returns false when ctx ended
// first, or had ended.
func Sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
