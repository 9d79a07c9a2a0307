package main

import (
	"os"
	"runtime/debug"
)

// gcHeadroom is how much the heap may grow between two collections while a
// trace is read, at the least. Reading a trace allocates briskly (Go's
// validator collects every event's stack frames into a new slice) but keeps
// little alive: with the runtime's default (a collection whenever the heap
// has doubled, from 4 MiB) a trace of a few MB is collected hundreds of times.
const gcHeadroom = 64 << 20

// tuneGC sets the collector's target for a trace of size bytes: the heap may
// grow by gcHeadroom, but by at most 4 times what it holds (beyond that the
// collections saved are few and the memory is not), and by at least as much
// as it holds (the default). The live heap is taken as the trace's bytes plus the reader's tables,
// a few times the size, and at least 4 MiB. A GOGC set in the environment is
// left as it is.
func tuneGC(size int) {
	if _, set := os.LookupEnv("GOGC"); set {
		return
	}
	const step = 4 << 20 // in steps, so that traces of similar sizes share a setting
	live := (4*int64(size) + 2*step - 1) / step * step
	if pct := int(min(400, max(100, gcHeadroom*100/live))); pct != gcPercent {
		gcPercent = pct // setting it stops the world: only when it changes
		debug.SetGCPercent(pct)
	}
}

var gcPercent = 100
