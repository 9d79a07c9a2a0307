// Package canon renders trace.Event values as the canonical event-stream lines
// of docs/EVENTS.md, the format that every parser taking part in gotrace-harness
// prints and that streams are diffed on.
//
// The rendering goes only through the public API of golang.org/x/exp/trace, so
// whatever a getter computes (or panics on) is what the line reflects.
//
// For whole traces use a Printer: it renders each distinct stack once per
// generation and keeps its text in a cache; a Line it makes references that
// text instead of copying it, so the stacks' bytes are copied only where a
// consumer wants them (Line.WriteTo, Line.AppendTo). AppendEvent is the same
// rendering into one buffer, without the cache.
package canon

import (
	"io"
	"math/bits"
	"slices"
	"strconv"

	"golang.org/x/exp/trace"
)

// A Printer renders the canonical lines of one trace's events, in the order the
// reader delivers them. It keeps the text of the stacks it printed since the
// last Sync event (every generation opens with one), bounded in size. The zero
// Printer is ready to use; it is not safe for concurrent use. Start a new trace
// with Reset (or a new Printer).
//
// A cached stack is the text that rendering it the first time produced: Stack
// is a handle into the tables of its generation, which do not change once the
// reader delivers their events, so Stack.Frames yields the same frames for the
// same handle every time (and a getter that panics does so on the first
// rendering, which then ends the caller's run).
type Printer struct {
	line Line // the last event's

	stacks map[trace.Stack]span // stack handle -> its text in text
	text   []byte
	// The cached stacks appended last, looked up before the map: events
	// mostly cycle through a handful of stacks, and comparing a few handles
	// costs less than hashing one.
	recent     [recentStacks]recentStack
	recentNext int

	// The text of recent heads (see head), by a hash of the head: events
	// mostly repeat a few of them (on a ping-pong trace some 70 over
	// millions of events).
	heads *[headSlots]headEntry

	// The text of the frames rendered so far, by PC, kept across
	// generations: a stack handle means something only in its generation,
	// but a frame's text depends only on the frame, and the traces with many
	// generations render the same frames in each.
	frames map[uint64]frameText

	// Consecutive events mostly share the millions of their time: the
	// digits of the last ones are kept.
	timeHi memo
}

type frameText struct {
	f    trace.StackFrame
	text string
}

const framesMax = 1 << 16 // then frames not kept are rendered every time

// A head is what a line says between its time and the event's details:
// the kind and the ids of thread, proc and goroutine, and for a
// StateTransition also the resource, its two states and the reason. Its text
// depends on nothing else.
type head struct {
	m, p, g, id int64 // id: the resource's
	reason      string
	kind        trace.EventKind
	rk          trace.ResourceKind
	from, to    uint8 // GoState or ProcState, as rk says
}

type headEntry struct {
	h    head
	n    uint8 // 0: empty
	text [headTextMax]byte
}

const (
	headSlots   = 256
	headTextMax = 104 // longer heads are rendered every time
)

// memo holds the decimal digits of the last value appended through it.
type memo struct {
	v      int64
	n      uint8
	valid  bool
	digits [20]byte
}

func (m *memo) append(b []byte, v int64) []byte {
	if !m.valid || m.v != v {
		m.v, m.valid = v, true
		m.n = uint8(len(appendDecInt(m.digits[:0], v)))
	}
	return append(b, m.digits[:m.n]...)
}

type span struct{ off, len int }

type recentStack struct {
	stk trace.Stack
	s   span
}

const recentStacks = 8

const (
	cacheStackMax = 4 << 10  // longer stacks are rendered every time
	cacheTotalMax = 16 << 20 // then the cache stops growing until the next Sync
)

// Reset drops the cached stacks.
func (p *Printer) Reset() {
	clear(p.stacks)
	p.text = p.text[:0]
	p.recent = [recentStacks]recentStack{}
}

// A Line is the canonical line of one event, without the newline, as a
// Printer made it: the event's own text and, at their places in it, the
// cached text of the stacks it names, referenced rather than copied. A Line
// and the text it references are valid until the Printer's next Event or
// Reset.
type Line struct {
	text []byte     // the event's own text
	refs []stackRef // in the order of at
}

// stackRef puts cached stack text into a Line at text[at].
type stackRef struct {
	at    int
	stack []byte
}

// Len returns the length of the line in bytes.
func (l *Line) Len() int {
	n := len(l.text)
	for _, r := range l.refs {
		n += len(r.stack)
	}
	return n
}

// AppendTo appends the line's bytes to b.
func (l *Line) AppendTo(b []byte) []byte {
	at := 0
	for _, r := range l.refs {
		b = append(b, l.text[at:r.at]...)
		b = append(b, r.stack...)
		at = r.at
	}
	return append(b, l.text[at:]...)
}

// WriteTo writes the line's bytes to w, in as many writes as the line has
// segments (the event's text between stacks, each stack's text); it
// implements io.WriterTo.
func (l *Line) WriteTo(w io.Writer) (n int64, err error) {
	at := 0
	for _, r := range l.refs {
		for _, seg := range [2][]byte{l.text[at:r.at], r.stack} {
			k, err := w.Write(seg)
			n += int64(k)
			if err != nil {
				return n, err
			}
		}
		at = r.at
	}
	k, err := w.Write(l.text[at:])
	return n + int64(k), err
}

// Event makes the canonical line of ev. The Line is the Printer's own: it is
// valid until the Printer's next Event or Reset.
//
// The getters of trace.Event may panic on inputs the reader accepts; Event
// does not recover, so callers that must survive such inputs recover
// themselves.
func (p *Printer) Event(ev *trace.Event) *Line {
	kind := ev.Kind()
	if kind == trace.EventSync {
		p.Reset()
	}
	l := &p.line
	l.refs = l.refs[:0]
	l.text = appendEvent(p, l.text[:0], ev, kind)
	return l
}

// AppendEvent appends the canonical line of ev to b, without the newline, with
// nothing cached (see Printer).
func AppendEvent(b []byte, ev trace.Event) []byte {
	return appendEvent(nil, b, &ev, ev.Kind())
}

// appendEvent appends the line of ev, whose Kind is kind. Each getter is
// called once: a getter of trace.Event copies the whole Event, even inlined.
func appendEvent(p *Printer, b []byte, ev *trace.Event, kind trace.EventKind) []byte {
	b = p.appendTime(b, int64(ev.Time()))
	h := head{kind: kind, m: int64(ev.Thread()), p: int64(ev.Proc()), g: int64(ev.Goroutine())}
	if kind == trace.EventStateTransition {
		b = p.appendTransition(b, ev, &h)
	} else {
		b = p.appendHead(b, &h)
		b = appendDetails(b, ev, kind)
	}

	// A StackSample always carries a stack handle (possibly of an empty stack),
	// so comparing with NoStack covers the "always for StackSample" rule too.
	if stk := ev.Stack(); stk != trace.NoStack {
		b = append(b, " Stack="...)
		b = p.appendStack(b, stk)
	}
	return b
}

// appendTransition appends the head h, whose kind and ids are filled in, and
// the details of ev, a StateTransition.
func (p *Printer) appendTransition(b []byte, ev *trace.Event, h *head) []byte {
	st := ev.StateTransition()
	h.rk = st.Resource.Kind
	switch st.Resource.Kind {
	case trace.ResourceGoroutine:
		from, to := st.Goroutine()
		h.id = int64(st.Resource.Goroutine())
		h.from, h.to = uint8(from), uint8(to)
	case trace.ResourceProc:
		from, to := st.Proc()
		h.id = int64(st.Resource.Proc())
		h.from, h.to = uint8(from), uint8(to)
	}
	h.reason = st.Reason
	b = p.appendHead(b, h)
	// Goroutine creation hands out a stack handle even for stack ID 0, so such
	// a transition prints an empty "TransitionStack=[]"; NoStack prints nothing.
	if st.Stack != trace.NoStack {
		b = append(b, " TransitionStack="...)
		b = p.appendStack(b, st.Stack)
	}
	return b
}

// appendDetails appends what follows the head in the line of ev, of the
// given kind, when that is not StateTransition.
func appendDetails(b []byte, ev *trace.Event, kind trace.EventKind) []byte {
	switch kind {
	case trace.EventSync:
		b = appendSyncEvent(b, ev)
	case trace.EventMetric:
		m := ev.Metric()
		b = appendQuoted(b, " Name=", m.Name)
		b = appendUint(b, " Value=", m.Value.Uint64())
	case trace.EventLabel:
		l := ev.Label()
		b = appendQuoted(b, " Label=", l.Label)
		b = appendResource(b, " Resource=", l.Resource)
	case trace.EventRangeBegin, trace.EventRangeActive, trace.EventRangeEnd:
		r := ev.Range()
		b = appendQuoted(b, " Name=", r.Name)
		b = appendResource(b, " Scope=", r.Scope)
		if kind == trace.EventRangeEnd {
			b = append(b, " Attributes=["...)
			for i, a := range ev.RangeAttributes() {
				if i > 0 {
					b = append(b, ' ')
				}
				b = appendQuote(b, a.Name)
				b = append(b, '=')
				b = appendValue(b, a.Value)
			}
			b = append(b, ']')
		}
	case trace.EventTaskBegin, trace.EventTaskEnd:
		t := ev.Task()
		b = appendUint(b, " ID=", uint64(t.ID))
		b = appendUint(b, " Parent=", uint64(t.Parent))
		b = appendQuoted(b, " Type=", t.Type)
	case trace.EventRegionBegin, trace.EventRegionEnd:
		r := ev.Region()
		b = appendUint(b, " Task=", uint64(r.Task))
		b = appendQuoted(b, " Type=", r.Type)
	case trace.EventLog:
		l := ev.Log()
		b = appendUint(b, " Task=", uint64(l.Task))
		b = appendQuoted(b, " Category=", l.Category)
		b = appendQuoted(b, " Message=", l.Message)
	default:
		// Experimental events: not every API generation has them (api_*.go).
		b = appendExperimentalEvent(b, ev)
	}
	return b
}

// appendTime appends t in decimal: the digits above the last six from the
// memo, the last six padded.
func (p *Printer) appendTime(b []byte, t int64) []byte {
	const split = 1_000_000
	if p == nil || t < split {
		return appendDecInt(b, t)
	}
	b = p.timeHi.append(b, t/split)
	lo := t % split
	n := len(b)
	b = slices.Grow(b, 6)[:n+6]
	putPair(b[n:], uint64(lo/10000))
	putPair(b[n+2:], uint64(lo/100%100))
	putPair(b[n+4:], uint64(lo%100))
	return b
}

// putPair writes 0 <= v < 100 as two digits at the start of d.
func putPair(d []byte, v uint64) {
	d[0], d[1] = digitPairs[2*v], digitPairs[2*v+1]
}

// appendStack appends stk to b, or, when its text is in the cache, puts a
// reference to that text at the end of b into p's line (p may be nil: then
// the stack is rendered into b).
func (p *Printer) appendStack(b []byte, stk trace.Stack) []byte {
	if p == nil {
		return AppendStack(b, stk)
	}
	if stk != trace.NoStack { // the empty slots of recent hold NoStack
		for i := range p.recent {
			if r := &p.recent[i]; r.stk == stk {
				return p.refer(b, r.s)
			}
		}
	}
	if s, ok := p.stacks[stk]; ok {
		p.remember(stk, s)
		return p.refer(b, s)
	}
	start := len(b)
	b = p.renderStack(b, stk)
	n := len(b) - start
	if n <= cacheStackMax && len(p.text)+n <= cacheTotalMax {
		if p.stacks == nil {
			p.stacks = make(map[trace.Stack]span)
		}
		s := span{len(p.text), n}
		p.stacks[stk] = s
		p.text = append(p.text, b[start:]...)
		p.remember(stk, s)
	}
	return b
}

// refer puts the cached text s at the end of b into p's line; b is returned
// as it is.
func (p *Printer) refer(b []byte, s span) []byte {
	end := s.off + s.len
	p.line.refs = append(p.line.refs, stackRef{len(b), p.text[s.off:end:end]})
	return b
}

// remember puts a cached stack into recent, in place of the one that entered
// it first.
func (p *Printer) remember(stk trace.Stack, s span) {
	p.recent[p.recentNext] = recentStack{stk, s}
	p.recentNext = (p.recentNext + 1) % recentStacks
}

// AppendStack appends stk as `[<q func>@0x<pc> <q file>:<line>, ...]`.
func AppendStack(b []byte, stk trace.Stack) []byte {
	return (*Printer)(nil).renderStack(b, stk)
}

// renderStack appends stk, its frames from p's frames when they are there (p
// may be nil).
func (p *Printer) renderStack(b []byte, stk trace.Stack) []byte {
	b = append(b, '[')
	first := true
	for f := range stackFrames(stk) {
		if !first {
			b = append(b, ", "...)
		}
		first = false
		b = p.appendFrame(b, f)
	}
	return append(b, ']')
}

// appendFrame appends f as `<q func>@0x<pc> <q file>:<line>`, from p's frames
// when it is there (p may be nil).
func (p *Printer) appendFrame(b []byte, f trace.StackFrame) []byte {
	if p != nil {
		if t, ok := p.frames[f.PC]; ok && t.f == f {
			return append(b, t.text...)
		}
	}
	start := len(b)
	b = appendQuote(b, f.Func)
	b = append(b, "@0x"...)
	b = strconv.AppendUint(b, f.PC, 16)
	b = append(b, ' ')
	b = appendQuote(b, f.File)
	b = append(b, ':')
	b = appendDec(b, f.Line)
	if p != nil && len(p.frames) < framesMax {
		if p.frames == nil {
			p.frames = make(map[uint64]frameText)
		}
		p.frames[f.PC] = frameText{f, string(b[start:])}
	}
	return b
}

// appendHead appends the text of h, from p's heads when it is there (p may
// be nil).
func (p *Printer) appendHead(b []byte, h *head) []byte {
	if p == nil {
		return h.append(b)
	}
	if p.heads == nil {
		p.heads = new([headSlots]headEntry)
	}
	e := &p.heads[h.slot()]
	if e.n != 0 && e.h == *h {
		return append(b, e.text[:e.n]...)
	}
	start := len(b)
	b = h.append(b)
	if n := len(b) - start; n <= headTextMax {
		e.h, e.n = *h, uint8(n)
		copy(e.text[:], b[start:])
	}
	return b
}

// slot returns where h goes in a Printer's heads.
func (h *head) slot() int {
	x := uint64(h.m) + uint64(h.p)<<20 + uint64(h.kind)<<40 + uint64(h.rk)<<48 +
		uint64(h.from)<<52 + uint64(h.to)<<56 + uint64(len(h.reason))<<60
	x = (x ^ uint64(h.g)*0x9e3779b97f4a7c15 ^ uint64(h.id)*0xc2b2ae3d27d4eb4f) * 0x165667b19e3779f9
	return int(x >> (64 - 8)) // headSlots = 1<<8
}

// append appends the text of h (never empty: it starts with a space).
func (h *head) append(b []byte) []byte {
	if int(h.kind) < len(kindTexts) {
		b = append(b, kindTexts[h.kind]...)
	} else {
		b = append(append(append(b, ' '), h.kind.String()...), " M="...)
	}
	b = appendDecInt(b, h.m)
	b = appendInt(b, " P=", h.p)
	b = appendInt(b, " G=", h.g)
	if h.kind != trace.EventStateTransition {
		return b
	}
	switch h.rk {
	case trace.ResourceGoroutine:
		b = appendInt(b, " GoID=", h.id)
		if h.from < states && h.to < states {
			b = append(b, goStateTexts[h.from][h.to]...)
		} else {
			b = appendStates(b, trace.GoState(h.from).String(), trace.GoState(h.to).String())
		}
	case trace.ResourceProc:
		b = appendInt(b, " ProcID=", h.id)
		if h.from < states && h.to < states {
			b = append(b, procStateTexts[h.from][h.to]...)
		} else {
			b = appendStates(b, trace.ProcState(h.from).String(), trace.ProcState(h.to).String())
		}
	}
	return appendQuoted(b, " Reason=", h.reason)
}

// appendStates appends " <from>-><to>".
func appendStates(b []byte, from, to string) []byte {
	return append(append(append(append(b, ' '), from...), "->"...), to...)
}

// The texts of the common kinds and state pairs, as the String methods of
// their types give them: kindTexts[k] is " <k> M=", goStateTexts[f][t] is
// " <f>-><t>".
var (
	kindTexts                    [32]string
	goStateTexts, procStateTexts [states][states]string
)

const states = 8

func init() {
	for k := range kindTexts {
		kindTexts[k] = " " + trace.EventKind(k).String() + " M="
	}
	for f := range states {
		for t := range states {
			goStateTexts[f][t] = string(appendStates(nil, trace.GoState(f).String(), trace.GoState(t).String()))
			procStateTexts[f][t] = string(appendStates(nil, trace.ProcState(f).String(), trace.ProcState(t).String()))
		}
	}
}

func appendResource(b []byte, prefix string, r trace.ResourceID) []byte {
	b = append(b, prefix...)
	switch r.Kind {
	case trace.ResourceGoroutine:
		return append(appendInt(b, "Goroutine(", int64(r.Goroutine())), ')')
	case trace.ResourceProc:
		return append(appendInt(b, "Proc(", int64(r.Proc())), ')')
	case trace.ResourceThread:
		return append(appendInt(b, "Thread(", int64(r.Thread())), ')')
	}
	return append(b, "None"...)
}

// digitPairs holds "00" to "99".
const digitPairs = "00010203040506070809" +
	"10111213141516171819" +
	"20212223242526272829" +
	"30313233343536373839" +
	"40414243444546474849" +
	"50515253545556575859" +
	"60616263646566676869" +
	"70717273747576777879" +
	"80818283848586878889" +
	"90919293949596979899"

// appendInt appends prefix and v; ids are mostly -1 ("none") or small.
func appendInt(b []byte, prefix string, v int64) []byte {
	b = append(b, prefix...)
	if v == -1 {
		return append(b, "-1"...)
	}
	return appendDecInt(b, v)
}

func appendUint(b []byte, prefix string, v uint64) []byte {
	return appendDec(append(b, prefix...), v)
}

// appendDecInt appends v in decimal, as strconv.AppendInt(b, v, 10) does.
func appendDecInt(b []byte, v int64) []byte {
	if v < 0 {
		return appendDec(append(b, '-'), uint64(-v)) // -MinInt64 converts right
	}
	return appendDec(b, uint64(v))
}

// appendDec appends u in decimal, as strconv.AppendUint(b, u, 10) does, but
// writes the digits in place (two at a time) rather than through a buffer.
func appendDec(b []byte, u uint64) []byte {
	if u < 100 {
		if u < 10 {
			return append(b, byte('0'+u))
		}
		return append(b, digitPairs[2*u], digitPairs[2*u+1])
	}
	i := len(b) + decimalLen(u)
	b = slices.Grow(b, i-len(b))[:i]
	for u >= 100 {
		q := u / 100
		r := u - q*100
		i -= 2
		putPair(b[i:], r)
		u = q
	}
	if u >= 10 {
		putPair(b[i-2:], u)
	} else {
		b[i-1] = byte('0' + u)
	}
	return b
}

// decimalLen returns the number of decimal digits of u > 0.
func decimalLen(u uint64) int {
	// log10(2) ~ 1233/4096: the estimate is the count or one less.
	n := bits.Len64(u) * 1233 >> 12
	if u >= powersOf10[n] {
		n++
	}
	return n
}

var powersOf10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
	1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

func appendQuoted(b []byte, prefix, s string) []byte {
	return appendQuote(append(b, prefix...), s)
}

// appendQuote appends s quoted as strconv.Quote quotes it. Printable ASCII other
// than '"' and '\\' is copied as it is; only other strings go through strconv.
func appendQuote(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendPadded9(b []byte, n int) []byte {
	var digits [9]byte
	for i := len(digits) - 1; i >= 0; i-- {
		digits[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, digits[:]...)
}
