//go:build go1.23

// Command coro drives iter.Pull coroutines: pull iterators whose next function
// is handed from goroutine to goroutine through a channel, iterators that are
// exhausted (their coroutine exits) and iterators stopped early. It needs Go
// 1.23 (iter.Pull); older toolchains skip it.
package main

import (
	"iter"
	"sync"
	"time"

	"gotrace-harness/testprogs/internal/tracing"
)

func main() { tracing.Main(work) }

// count yields 0..n-1 and does a little work per value.
func count(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i++ {
			tracing.Spin(2 * time.Microsecond)
			if !yield(i) {
				return
			}
		}
	}
}

type puller struct {
	next func() (int, bool)
	stop func()
}

func work(deadline time.Time) error {
	var wg sync.WaitGroup

	// Hand-off: a pull iterator passes between three goroutines in a ring.
	ring := [3]chan puller{make(chan puller), make(chan puller), make(chan puller)}
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range ring[r] {
				for k := 0; k < 5; k++ {
					if _, ok := p.next(); !ok {
						break
					}
				}
				if r == 2 {
					if time.Now().After(deadline) {
						p.stop()
						close(ring[0])
						continue
					}
					time.Sleep(50 * time.Microsecond)
				}
				ring[(r+1)%3] <- p
			}
			if r < 2 {
				close(ring[r+1])
			}
		}()
	}
	next, stop := iter.Pull(count(1 << 30))
	ring[0] <- puller{next, stop}

	// Short-lived iterators: exhausted or stopped early, in a loop.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; time.Now().Before(deadline); i++ {
			next, stop := iter.Pull(count(20))
			limit := 20 + 1 // exhaust: the coroutine finishes
			if i%2 == 1 {
				limit = 7 // stop early
			}
			for k := 0; k < limit; k++ {
				if _, ok := next(); !ok {
					break
				}
			}
			stop()
			time.Sleep(100 * time.Microsecond)
		}
	}()

	wg.Wait()
	return nil
}
