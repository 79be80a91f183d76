package main

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestGCPercentFor(t *testing.T) {
	const mb = 1 << 20
	for _, c := range []struct {
		live, floor uint64
		base, want  int
	}{
		{16 * mb, 256 * mb, 400, 1500},   // S: collect at 256 MB, not at 80
		{100 * mb, 256 * mb, 400, 400},   // GOGC's own target (500 MB) is above the floor
		{256 * mb, 256 * mb, 400, 400},   // at or above the floor: GOGC alone
		{300 * mb, 256 * mb, 400, 400},   //
		{0, 256 * mb, 400, 400},          // nothing measured yet
		{50 * mb, 256 * mb, 100, 412},    // another base
		{1 * mb, 1024 * mb, 400, 102300}, // a tiny heap: the floor still holds
		{1, 1 << 50, 400, maxGCPercent},  // within the runtime's int32
	} {
		assert.Equal(t, c.want, gcPercentFor(c.live, c.floor, c.base), "live %d MB, floor %d MB", c.live/mb, c.floor/mb)
	}
}

// TestGCFloorLoopSetsAndRestoresGOGC: the loop raises GOGC so that a small
// live heap may grow to the floor, and sets the base again when it ends.
func TestGCFloorLoopSetsAndRestoresGOGC(t *testing.T) {
	old := debug.SetGCPercent(400)
	defer debug.SetGCPercent(old)
	gogc := func() int {
		s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
		metrics.Read(s)
		return int(s[0].Value.Uint64())
	}
	runtime.GC() // a live heap measured by a collection
	adjustGC(400, 1<<40)
	assert.Greater(t, gogc(), 400, "a floor of 1 TB above a test's live heap")
	adjustGC(400, 1)
	assert.Equal(t, 400, gogc(), "a floor below the live heap leaves GOGC to the base")

	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the loop adjusts once, sees the end and restores the base
	gcFloorLoop(ctx, 400, 1<<40, time.Hour)
	assert.Equal(t, 400, gogc())
}
