package check

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
	"sync"

	"golang.org/x/exp/trace"
	"golang.org/x/exp/trace/internal/testtrace"
)

// A feed hands a trace's events to Run and RunBoth in the reader's order,
// each with the finding of Go's validator on it, if the feed has a validator
// and that is its first finding. It works serially (the reader, then the
// validator, in the caller's goroutine) or pipelined: one goroutine reads
// ahead, another (when there is a validator) validates what was read, while
// the caller makes the lines. On a machine with two cores or more a large
// trace is then answered in about the time of the slowest stage instead of
// their sum. CPU time is not saved (a little is added).
//
// Both ways give the same events, errors, findings and panics at the same
// places:
//
//   - a panic in the reader is delivered as a *PanicError where the reader
//     panicked, after the events read before it, as if the caller's own
//     recovery had caught it;
//   - the validator sees every event before the caller makes its line (in
//     both ways), and its finding is handed to the caller with the event, who
//     acts on it only once the line is made: a getter that panics in the
//     caller's line ends the run first, as when the validator came second;
//     after its first finding the validator sees no more events;
//   - Go's reader changes one thing that event getters read after it handed
//     the event out: the extra strings of the generation's table, which it
//     appends to when it orders a TaskEnd event and which that event's Task
//     getter reads. The reading goroutine holds mu while it reads a batch,
//     and the validator and the caller hold it for reading while they look at
//     a TaskEnd event (lock). Every other table an event refers to is
//     complete before the event is handed out and is only read from then on.
type feed struct {
	r     *trace.Reader
	v     *testtrace.Validator // nil: no validation
	vDone bool                 // serial: the validator had its finding

	pipelined bool
	mu        sync.RWMutex
	read      chan *eventBatch // from the reading goroutine, in order
	out       chan *eventBatch // to the caller: read, or from the validating goroutine
	free      chan *eventBatch // given back by the caller
	stop      chan struct{}    // closed by close: the goroutines give up
	wg        sync.WaitGroup
	cur       *eventBatch
	pos       int  // the next event of cur to hand out
	held      bool // the caller holds mu for reading (lock)
}

// An eventBatch is a run of events read in one go, followed by the error
// that ended the reading (io.EOF at the end of the trace) when there is one,
// with the validator's finding on evs[vAt] if it had one there.
type eventBatch struct {
	evs  []trace.Event
	err  error
	vAt  int // -1: none
	vErr error
}

// Pipelining pays for itself only when there is much to read (goroutines, a
// few channel operations and a lock per batch), and only with a second core
// to run on. GTHREF_PIPELINE in the environment overrides the choice: 0 reads
// every trace serially (when many traces are read side by side the cores are
// busy anyway); a number N > 0 reads every trace ahead, whatever its size, in
// batches of N events, at most batchMax (to test the pipelined feed: small
// batches hand events over while the reader is still at work).
var (
	pipelineMin = 1 << 20 // trace bytes
	batchEvents = 4096
	pipelineEnv = os.Getenv("GTHREF_PIPELINE")
	pipelineAll bool // GTHREF_PIPELINE=N
)

// batchMax bounds GTHREF_PIPELINE=N: the batches in flight take
// batchesInFlight × N events of 80 bytes.
const batchMax = 1 << 16

func init() {
	if n, err := strconv.Atoi(pipelineEnv); err == nil && n > 0 {
		pipelineAll, batchEvents = true, min(n, batchMax)
	}
}

const batchesInFlight = 6

// newFeed opens data with Go's reader; v, if not nil, validates the events.
// A panic in trace.NewReader is not recovered here: it is the caller's, as in
// the serial loop.
func newFeed(data []byte, v *testtrace.Validator) (*feed, error) {
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	f := &feed{r: r, v: v}
	if pipelineAll || pipelineEnv != "0" && len(data) >= pipelineMin && runtime.GOMAXPROCS(0) >= 2 {
		f.startPipeline()
	}
	return f, nil
}

func (f *feed) startPipeline() {
	f.pipelined = true
	f.read = make(chan *eventBatch, batchesInFlight)
	f.free = make(chan *eventBatch, batchesInFlight)
	f.stop = make(chan struct{})
	for range batchesInFlight {
		f.free <- &eventBatch{evs: make([]trace.Event, 0, batchEvents)}
	}
	f.out = f.read
	f.wg.Add(1)
	go f.readAhead()
	if f.v != nil {
		f.out = make(chan *eventBatch, batchesInFlight)
		f.wg.Add(1)
		go f.validateAhead()
	}
}

// next returns the next event and the validator's first finding if it is on
// this event; or the reader's error (io.EOF at the end). After an error next
// must not be called again. The event is returned by value: the caller keeps
// it on its stack, where storing it costs no write barriers.
func (f *feed) next() (ev trace.Event, vErr, err error) {
	if !f.pipelined {
		ev, err = f.r.ReadEvent() // a panic goes to the caller's recovery
		if err == nil && f.v != nil && !f.vDone {
			vErr = validate(f.v, ev)
			f.vDone = vErr != nil
		}
		return ev, vErr, err
	}
	for f.cur == nil || f.pos == len(f.cur.evs) {
		if f.cur != nil {
			if f.cur.err != nil {
				return trace.Event{}, nil, f.cur.err
			}
			f.free <- f.cur // never blocks: there are batchesInFlight of them
		}
		f.cur, f.pos = <-f.out, 0
	}
	i := f.pos
	f.pos++
	if i == f.cur.vAt {
		vErr = f.cur.vErr
	}
	return f.cur.evs[i], vErr, nil
}

// lock takes the lock that the caller must hold while it looks at ev, if it
// needs one (see feed); unlock gives it back.
func (f *feed) lock(ev *trace.Event) {
	if f.pipelined && ev.Kind() == trace.EventTaskEnd {
		f.mu.RLock()
		f.held = true
	}
}

func (f *feed) unlock() {
	if f.held {
		f.held = false
		f.mu.RUnlock()
	}
}

// close stops the goroutines, if there are any, and waits until they
// returned. It may be called while the caller panics, holding the lock or
// not.
func (f *feed) close() {
	if f == nil || !f.pipelined {
		return
	}
	f.unlock()
	close(f.stop)
	f.wg.Wait()
}

// readAhead is the reading goroutine: it reads batches of events until the
// reader's first error, or until close.
func (f *feed) readAhead() {
	defer f.wg.Done()
	for b := f.receive(f.free); b != nil; b = f.receive(f.free) {
		f.fill(b)
		if !f.send(f.read, b) {
			return
		}
	}
}

// receive returns the next batch from ch, or nil once close was called.
func (f *feed) receive(ch <-chan *eventBatch) *eventBatch {
	select {
	case b := <-ch:
		return b
	case <-f.stop:
		return nil
	}
}

// send passes b on to ch; it reports whether the goroutine goes on: not
// after the last batch, nor once close was called.
func (f *feed) send(ch chan<- *eventBatch, b *eventBatch) bool {
	last := b.err != nil // b is not ours once sent
	select {
	case ch <- b:
		return !last
	case <-f.stop:
		return false
	}
}

// fill reads up to batchEvents events into b, and the error that stopped it
// (a panic of the reader's becomes a *PanicError).
func (f *feed) fill(b *eventBatch) {
	b.evs, b.err, b.vAt, b.vErr = b.evs[:0], nil, -1, nil
	f.mu.Lock()
	defer f.mu.Unlock()
	defer recoverInto(&b.err)
	for len(b.evs) < cap(b.evs) {
		ev, err := f.r.ReadEvent()
		if err != nil {
			b.err = err
			return
		}
		b.evs = append(b.evs, ev)
	}
}

// validateAhead is the validating goroutine: it validates the batches read,
// up to the validator's first finding, and passes them on, until the last
// batch or close.
func (f *feed) validateAhead() {
	defer f.wg.Done()
	done := false
	for b := f.receive(f.read); b != nil; b = f.receive(f.read) {
		for i := 0; !done && i < len(b.evs); i++ {
			if err := f.validate(&b.evs[i]); err != nil {
				b.vAt, b.vErr, done = i, err, true
			}
		}
		if !f.send(f.out, b) {
			return
		}
	}
}

// validate gives ev to the validator under the lock, if it needs it.
func (f *feed) validate(ev *trace.Event) error {
	if ev.Kind() == trace.EventTaskEnd {
		f.mu.RLock()
		defer f.mu.RUnlock()
	}
	return validate(f.v, *ev)
}
