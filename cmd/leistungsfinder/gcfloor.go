package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// defaultGCMinHeapMB is the heap the garbage collector lets grow before it
// collects, however small the live heap (serve's -gc-min-heap, and bench's
// in-process server).
//
// GOGC is relative to the live heap, and the server's is small: about
// 16 MB at S. At GOGC 400 it collected every 64 MB allocated, which at
// 4,000 searches a second (140 KB each) is nine collections a second, each
// with its stops of the world and about 15 ms of CPU: 8 % of the CPU of a
// search, and the stops show in p99. With a floor of 256 MB it collects
// about twice a second. Once the live heap is above floor / (1 + GOGC/100)
// (51 MB at GOGC 400), GOGC's own target is above the floor, which then
// changes nothing: the heap never grows past the larger of the two.
const defaultGCMinHeapMB = 256

// gcPercentFor is the GOGC that lets the heap grow to floor bytes before
// a collection, given the live heap: at least base, at most maxGCPercent.
func gcPercentFor(live, floor uint64, base int) int {
	if live == 0 || floor <= live {
		return base
	}
	pct := min((floor-live)*100/live, maxGCPercent)
	return max(int(pct), base)
}

// maxGCPercent keeps GOGC within the runtime's int32 whatever the floor.
const maxGCPercent = 1_000_000

// gcFloorLoop keeps GOGC at gcPercentFor(live heap, floor, base), checking
// the live heap (as of the last collection) every interval until ctx ends,
// and then sets base again. It changes GOGC only when the new value
// differs from the one in effect by more than a tenth, so that a steady
// heap leaves it alone.
func gcFloorLoop(ctx context.Context, base int, floor uint64, interval time.Duration) {
	adjustGC(base, floor)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			debug.SetGCPercent(base)
			return
		case <-t.C:
			adjustGC(base, floor)
		}
	}
}

// adjustGC is one step of gcFloorLoop.
func adjustGC(base int, floor uint64) {
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/gogc:percent"}}
	metrics.Read(samples)
	if samples[0].Value.Kind() != metrics.KindUint64 || samples[1].Value.Kind() != metrics.KindUint64 {
		return // not reported by this runtime: GOGC stays as it is
	}
	want, current := gcPercentFor(samples[0].Value.Uint64(), floor, base), int(samples[1].Value.Uint64())
	if diff := want - current; diff*10 > current || -diff*10 > current {
		debug.SetGCPercent(want)
	}
}
