// Command annotations uses the runtime/trace annotation API: nested tasks,
// tasks that end on another goroutine or span the whole run (so they cross
// generations), nested regions via WithRegion and StartRegion, regions on
// goroutines of their own, and logs, including a message longer than the
// trace's 1024-byte string limit.
package main

import (
	"context"
	"fmt"
	"runtime/trace"
	"strings"
	"sync"
	"time"

	"gotrace-harness/testprogs/internal/tracing"
)

func main() { tracing.Main(work) }

func work(deadline time.Time) error {
	ctx, whole := trace.NewTask(context.Background(), "whole-run")
	defer whole.End()
	trace.Log(ctx, "long", strings.Repeat("0123456789", 150))

	var wg sync.WaitGroup
	ended := make(chan *trace.Task, 16)
	// Tasks begun here are ended by this goroutine.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for t := range ended {
			trace.WithRegion(context.Background(), "ending", t.End)
		}
	}()

	for i := 0; time.Now().Before(deadline); i++ {
		reqCtx, req := trace.NewTask(ctx, "request")
		trace.Logf(reqCtx, "id", "%d", i)
		trace.WithRegion(reqCtx, "handle", func() {
			r := trace.StartRegion(reqCtx, "parse")
			tracing.Spin(20 * time.Microsecond)
			r.End()

			subCtx, sub := trace.NewTask(reqCtx, "subrequest")
			var inner sync.WaitGroup
			for k := 0; k < 3; k++ {
				inner.Add(1)
				go func() {
					defer inner.Done()
					trace.WithRegion(subCtx, fmt.Sprintf("shard-%d", k), func() {
						trace.Log(subCtx, "shard", fmt.Sprint(k))
						time.Sleep(50 * time.Microsecond)
					})
				}()
			}
			inner.Wait()
			sub.End()

			trace.WithRegion(reqCtx, "respond", func() {
				trace.WithRegion(reqCtx, "encode", func() {
					tracing.Spin(10 * time.Microsecond)
				})
			})
		})
		if i%2 == 0 {
			req.End()
		} else {
			ended <- req
		}
		// Logs and regions outside any task.
		trace.Log(context.Background(), "", "background")
		trace.WithRegion(context.Background(), "idle", func() { time.Sleep(100 * time.Microsecond) })
	}
	close(ended)
	wg.Wait()
	return nil
}
