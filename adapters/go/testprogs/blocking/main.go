// Command blocking makes goroutines wait on each other in every common way:
// unbuffered channel ping-pong, mutex and RWMutex contention, sync.Cond
// producer/consumer hand-offs, select with timers, and a goroutine that stays
// blocked for the whole run (so it crosses every generation boundary).
package main

import (
	"sync"
	"time"

	"gotrace-harness/testprogs/internal/tracing"
)

func main() { tracing.Main(work) }

func work(deadline time.Time) error {
	var wg sync.WaitGroup
	done := make(chan struct{})
	run := func(f func()) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f()
		}()
	}

	// Blocked for the whole run.
	run(func() { <-done })

	// Channel ping-pong between pairs.
	for p := 0; p < 2; p++ {
		ping, pong := make(chan int), make(chan int)
		run(func() {
			for n := 0; time.Now().Before(deadline); n++ {
				ping <- n
				<-pong
				if n%8 == 7 {
					time.Sleep(50 * time.Microsecond)
				}
			}
			close(ping)
		})
		run(func() {
			for n := range ping {
				pong <- n + 1
			}
		})
	}

	// Mutex and RWMutex contention.
	var mu sync.Mutex
	var rw sync.RWMutex
	shared := map[int]int{}
	for w := 0; w < 4; w++ {
		run(func() {
			for i := 0; time.Now().Before(deadline); i++ {
				mu.Lock()
				shared[i%16]++
				tracing.Spin(20 * time.Microsecond)
				mu.Unlock()
				time.Sleep(20 * time.Microsecond)
				if i%4 == 0 {
					rw.Lock()
					tracing.Spin(10 * time.Microsecond)
					rw.Unlock()
				} else {
					rw.RLock()
					tracing.Spin(5 * time.Microsecond)
					rw.RUnlock()
				}
			}
		})
	}

	// sync.Cond: a bounded queue with Signal for items and Broadcast at the end.
	var qmu sync.Mutex
	cond := sync.NewCond(&qmu)
	var queue []int
	closed := false
	for c := 0; c < 3; c++ {
		run(func() {
			for {
				qmu.Lock()
				for len(queue) == 0 && !closed {
					cond.Wait()
				}
				if len(queue) == 0 && closed {
					qmu.Unlock()
					return
				}
				queue = queue[1:]
				qmu.Unlock()
			}
		})
	}
	run(func() {
		for i := 0; time.Now().Before(deadline); i++ {
			qmu.Lock()
			queue = append(queue, i)
			qmu.Unlock()
			cond.Signal()
			if i%4 == 3 {
				time.Sleep(50 * time.Microsecond)
			}
		}
		qmu.Lock()
		closed = true
		qmu.Unlock()
		cond.Broadcast()
	})

	// select over a channel and timers.
	tick := make(chan struct{})
	run(func() {
		for time.Now().Before(deadline) {
			select {
			case tick <- struct{}{}:
			case <-time.After(200 * time.Microsecond):
			}
		}
		close(tick)
	})
	run(func() {
		for range tick {
			time.Sleep(300 * time.Microsecond)
		}
	})

	time.Sleep(time.Until(deadline))
	close(done)
	wg.Wait()
	return nil
}
