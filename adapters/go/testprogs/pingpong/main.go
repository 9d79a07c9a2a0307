// Command pingpong runs pairs of goroutines that hand a token back and forth
// over unbuffered channels for the whole run: the densest scheduling traffic a
// program makes (every hand-off is a block, an unblock and a start). With
// -pairs 64 and -d 6s it writes the several-hundred-megabyte traces the
// benchmarks read (bench/run.sh); by default it stays small.
package main

import (
	"flag"
	"sync"
	"time"

	"gotrace-harness/testprogs/internal/tracing"
)

var pairs = flag.Int("pairs", 4, "number of goroutine `pairs`")

func main() { tracing.Main(work) }

func work(deadline time.Time) error {
	var wg sync.WaitGroup
	for p := 0; p < *pairs; p++ {
		ping, pong := make(chan int), make(chan int)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for n := 0; time.Now().Before(deadline); n++ {
				ping <- n
				<-pong
			}
			close(ping)
		}()
		go func() {
			defer wg.Done()
			for n := range ping {
				pong <- n
			}
		}()
	}
	wg.Wait()
	return nil
}
