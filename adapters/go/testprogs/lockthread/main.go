// Command lockthread runs goroutines wired to their OS threads with
// runtime.LockOSThread: locked goroutines that compute, block on channels
// (their thread sleeps with them) and some that exit while still locked, which
// makes the runtime retire their threads.
package main

import (
	"runtime"
	"sync"
	"time"

	"gotrace-harness/testprogs/internal/tracing"
)

func main() { tracing.Main(work) }

func work(deadline time.Time) error {
	var wg sync.WaitGroup
	req := make(chan int)
	resp := make(chan int)

	// A locked server goroutine answering requests.
	wg.Add(1)
	go func() {
		defer wg.Done()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for n := range req {
			tracing.Spin(50 * time.Microsecond)
			resp <- n * 2
		}
	}()

	// Unlocked clients.
	var clients sync.WaitGroup
	for c := 0; c < 2; c++ {
		clients.Add(1)
		go func() {
			defer clients.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				req <- i
				<-resp
			}
		}()
	}

	// Locked goroutines that exit without unlocking: their threads go away.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			done := make(chan struct{})
			go func() {
				defer close(done)
				runtime.LockOSThread()
				tracing.Spin(200 * time.Microsecond)
				time.Sleep(100 * time.Microsecond)
			}()
			<-done
			time.Sleep(2 * time.Millisecond)
		}
	}()

	// Nested lock/unlock pairs around blocking.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for time.Now().Before(deadline) {
			runtime.LockOSThread()
			runtime.LockOSThread()
			time.Sleep(300 * time.Microsecond)
			runtime.UnlockOSThread()
			runtime.Gosched()
			runtime.UnlockOSThread()
		}
	}()

	clients.Wait()
	close(req)
	wg.Wait()
	return nil
}
