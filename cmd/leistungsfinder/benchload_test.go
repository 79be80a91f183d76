package main

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestPacedLoadLeavesNoGoroutine runs a paced load whose one client cannot
// keep up (every request waits until the run ends) and checks that nothing
// load started is still running after it returns: a pacer that blocks on
// handing out the slots nobody takes any more would be left behind for
// good, once per run of every target.
func TestPacedLoadLeavesNoGoroutine(t *testing.T) {
	stuck := func(ctx context.Context, client, i int) error {
		<-ctx.Done()
		return ctx.Err()
	}
	// At 100 requests per second, 1.2 s schedule 120 requests; the client
	// takes one.
	r := load(context.Background(), 1, 1200*time.Millisecond, 100, stuck, nil)
	assert.Zero(t, r.requests, "no request finished inside the run")

	// Goroutines that signalled their end may still be on their way out:
	// give them the processor until none of load's is left.
	var left string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); runtime.Gosched() {
		if left = loadGoroutines(); left == "" {
			break
		}
	}
	assert.Empty(t, left, "goroutines of load still running after it returned")
}

// loadGoroutines returns the stacks of the running goroutines that load
// started (a stack names package main by its import path, and the
// function that started it on its "created by" line).
func loadGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var left []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "/cmd/leistungsfinder.load in goroutine") {
			left = append(left, g)
		}
	}
	return strings.Join(left, "\n\n")
}
