// Command churn creates and destroys goroutines in waves: short-lived workers,
// workers that spawn children, yields, and a few long-lived goroutines that
// outlive many generations.
package main

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"gotrace-harness/testprogs/internal/tracing"
)

func main() { tracing.Main(work) }

var sink atomic.Uint64

func work(deadline time.Time) error {
	stop := make(chan struct{})
	var long sync.WaitGroup
	for i := 0; i < 4; i++ {
		long.Add(1)
		go func() {
			defer long.Done()
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
					sink.Add(1)
				}
			}
		}()
	}

	for wave := 0; time.Now().Before(deadline); wave++ {
		var wg sync.WaitGroup
		for i := 0; i < 64; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				if i%8 == 0 {
					// A parent that spawns a few children and waits for them.
					var kids sync.WaitGroup
					for k := 0; k < 4; k++ {
						kids.Add(1)
						go func() {
							defer kids.Done()
							sink.Add(uint64(k))
						}()
					}
					kids.Wait()
				}
				for j := 0; j < 100*(i%5+1); j++ {
					sink.Add(uint64(j))
					if j%200 == 0 {
						runtime.Gosched()
					}
				}
			}(i)
		}
		wg.Wait()
		time.Sleep(500 * time.Microsecond)
	}
	close(stop)
	long.Wait()
	return nil
}
