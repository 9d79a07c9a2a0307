// Command gcpressure allocates heavily from several goroutines with a low GC
// target, keeps part of the data alive in a ring, and forces collections with
// runtime.GC, so the trace is full of GC cycles, sweeps, mark assists and heap
// metrics.
package main

import (
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"gotrace-harness/testprogs/internal/tracing"
)

func main() { tracing.Main(work) }

type node struct {
	next    *node
	payload []byte
	ids     [8]int
}

var keep [4][1024]*node

func work(deadline time.Time) error {
	defer debug.SetGCPercent(debug.SetGCPercent(20))
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var list *node
			for i := 0; time.Now().Before(deadline); i++ {
				n := &node{next: list, payload: make([]byte, 64+i%512)}
				n.ids[i%8] = i
				list = n
				if i%64 == 0 {
					keep[w][i/64%len(keep[w])] = list
					list = nil
				}
				if i%4096 == 0 {
					// Larger, short-lived allocations.
					_ = make([]int, 1<<14)
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			time.Sleep(15 * time.Millisecond)
			runtime.GC()
		}
	}()
	wg.Wait()
	runtime.GC()
	return nil
}
