// Command cpuprofile burns CPU on several goroutines while the CPU profiler
// runs (writing to io.Discard), so that the trace carries CPU samples.
package main

import (
	"io"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"gotrace-harness/testprogs/internal/tracing"
)

func main() { tracing.Main(work) }

var sink atomic.Uint64

func work(deadline time.Time) error {
	if err := pprof.StartCPUProfile(io.Discard); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				sink.Add(burn(w))
				time.Sleep(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	return nil
}

// burn and its callees give the samples distinct stacks.
func burn(w int) uint64 {
	if w%2 == 0 {
		return deep(8)
	}
	return tracing.Spin(5 * time.Millisecond)
}

func deep(n int) uint64 {
	if n == 0 {
		return tracing.Spin(5 * time.Millisecond)
	}
	return deep(n-1) + 1
}
