package catalogtest

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time this process has used so far (user and
// system). Benchmarks report it per operation: on a shared machine the
// wall time per operation says more about the neighbours than the cost.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
