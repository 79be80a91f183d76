package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

// heapPeak samples the Go heap in use every 20 ms from now until the
// returned function is first called, which describes the peak and the memory
// the runtime took from the system, for the summary line of a long
// command (the RSS counts the pages of the mapped store file as well).
func heapPeak() func() string {
	done := make(chan struct{})
	peak := make(chan uint64)
	go func() {
		var m runtime.MemStats
		var top uint64
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&m)
			top = max(top, m.HeapInuse)
			select {
			case <-done:
				peak <- top
				return
			case <-t.C:
			}
		}
	}()
	return sync.OnceValue(func() string {
		close(done)
		p := <-peak
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return fmt.Sprintf("peak heap in use %d MB, Go memory %d MB", p>>20, m.Sys>>20)
	})
}
