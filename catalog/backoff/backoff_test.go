package backoff

import (
	"context"
	"testing"
	"time"
)

func TestDelay(t *testing.T) {
	p := Policy{Min: time.Second, Max: 5 * time.Minute}
	for n, step := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 4: 8 * time.Second, 9: 256 * time.Second, 10: 5 * time.Minute, 100: 5 * time.Minute} {
		for range 50 {
			if d := p.Delay(n); d < step/2 || d > step {
				t.Fatalf("Delay(%d) = %s, want within [%s, %s]", n, d, step/2, step)
			}
		}
	}
}

func TestWaitEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if (Policy{Min: time.Hour, Max: time.Hour}).Wait(ctx, 1) {
		t.Fatal("Wait returned true for a cancelled context; want false at once")
	}
}
