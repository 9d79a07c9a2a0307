package canon_test

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/exp/trace"
	"golang.org/x/exp/trace/gthharness/internal/canon"
	"golang.org/x/exp/trace/gthharness/internal/gentrace"
	"golang.org/x/exp/trace/gthharness/internal/testfile"
	"golang.org/x/exp/trace/internal/testgen"
	"golang.org/x/exp/trace/internal/tracev2"
	"golang.org/x/exp/trace/internal/version"
)

var (
	mainStack = []trace.StackFrame{
		{PC: 0x401000, Func: "main.main", File: "/src/main.go", Line: 10},
		{PC: 0x43a0e0, Func: "runtime.main", File: "/go/src/runtime/proc.go", Line: 283},
	}
	workerStack = []trace.StackFrame{
		{PC: 0x402000, Func: "main.worker", File: "/src/main.go", Line: 20},
	}
)

// richTrace exercises every event kind and detail of the canonical format. The
// frequency is 1e9 ticks per second, so timestamps in nanoseconds equal ticks.
func richTrace(t *testgen.Trace) {
	// An AllocFree batch of thread 3 and one of thread 2: the Sync lists them in
	// file order.
	t.RawEvent(tracev2.EvExperimentalBatch, []byte("abc"), uint64(tracev2.AllocFree), 1, 3, 8)
	t.RawEvent(tracev2.EvExperimentalBatch, []byte("z"), uint64(tracev2.AllocFree), 1, 2, 8)

	g := t.Generation(1)
	g.Sync(1_000_000_000, 10, 99, time.Date(2025, 2, 28, 15, 4, 9, 123, time.UTC))
	b := g.Batch(1, 20)
	b.Event("ProcStatus", trace.ProcID(0), tracev2.ProcRunning)
	b.Event("GoStatus", trace.GoID(1), trace.ThreadID(1), tracev2.GoRunning)
	b.Event("ProcsChange", uint64(4), mainStack)
	b.Event("HeapAlloc", uint64(4096))
	b.Event("STWBegin", "start trace", mainStack)
	b.Event("STWEnd")
	b.Event("GCSweepBegin", mainStack)
	b.Event("GCSweepEnd", uint64(100), uint64(50))
	b.Event("GoCreate", trace.GoID(5), workerStack, mainStack)
	b.Event("GoCreate", trace.GoID(6), testgen.NoStack, testgen.NoStack)
	b.Event("UserTaskBegin", trace.TaskID(7), trace.TaskID(0), "job", mainStack)
	b.Event("UserRegionBegin", trace.TaskID(7), "phase \"1\"", mainStack)
	b.Event("UserLog", trace.TaskID(7), "k", "v\n\x00", testgen.NoStack)
	b.Event("UserRegionEnd", trace.TaskID(7), "phase \"1\"", mainStack)
	b.Event("UserTaskEnd", trace.TaskID(7), mainStack)
	b.Event("UserTaskEnd", trace.TaskID(8), testgen.NoStack)
	b.Event("GoLabel", "GC (idle)")
	b.Event("GoStop", "preempted", mainStack)
	b.Event("GoStart", trace.GoID(5), testgen.Seq(1))
	b.RawEvent(tracev2.EvSpanAlloc, nil, 1, 33, 2, 5)
	b.Event("GoBlock", "chan receive", testgen.NoStack)
	b.Event("ProcStop")

	cpu := g.Batch(trace.NoThread, 50)
	cpu.RawEvent(tracev2.EvCPUSamples, nil)
	cpu.RawEvent(tracev2.EvCPUSample, nil, 30, 1, 0, 5, g.Stack(workerStack))
	cpu.RawEvent(tracev2.EvCPUSample, nil, 31, 1, uint64(1<<64-1), 0, 0)
}

const richWant = `8 Sync M=-1 P=-1 G=-1 N=1 Trace=10 Mono=99 Wall=1740755049.000000123 Batches=[AllocFree:3:3 AllocFree:2:1]
21 StateTransition M=1 P=-1 G=-1 ProcID=0 Undetermined->Running Reason=""
22 StateTransition M=1 P=0 G=-1 GoID=1 Undetermined->Running Reason=""
23 Metric M=1 P=0 G=1 Name="/sched/gomaxprocs:threads" Value=4 Stack=["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283]
24 Metric M=1 P=0 G=1 Name="/memory/classes/heap/objects:bytes" Value=4096
25 RangeBegin M=1 P=0 G=1 Name="stop-the-world (start trace)" Scope=Goroutine(1) Stack=["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283]
26 RangeEnd M=1 P=0 G=1 Name="stop-the-world (start trace)" Scope=Goroutine(1) Attributes=[]
27 RangeBegin M=1 P=0 G=1 Name="GC incremental sweep" Scope=Proc(0) Stack=["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283]
28 RangeEnd M=1 P=0 G=1 Name="GC incremental sweep" Scope=Proc(0) Attributes=["bytes swept"=100 "bytes reclaimed"=50]
29 StateTransition M=1 P=0 G=1 GoID=5 NotExist->Runnable Reason="" TransitionStack=["main.worker"@0x402000 "/src/main.go":20] Stack=["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283]
30 StateTransition M=1 P=0 G=1 GoID=6 NotExist->Runnable Reason="" TransitionStack=[]
31 StackSample M=1 P=0 G=5 Stack=["main.worker"@0x402000 "/src/main.go":20]
32 TaskBegin M=1 P=0 G=1 ID=7 Parent=18446744073709551615 Type="job" Stack=["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283]
33 StackSample M=1 P=-1 G=-1 Stack=[]
34 RegionBegin M=1 P=0 G=1 Task=7 Type="phase \"1\"" Stack=["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283]
35 Log M=1 P=0 G=1 Task=7 Category="k" Message="v\n\x00"
36 RegionEnd M=1 P=0 G=1 Task=7 Type="phase \"1\"" Stack=["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283]
37 TaskEnd M=1 P=0 G=1 ID=7 Parent=18446744073709551615 Type="job" Stack=["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283]
38 TaskEnd M=1 P=0 G=1 ID=8 Parent=18446744073709551615 Type=""
39 Label M=1 P=0 G=1 Label="GC (idle)" Resource=Goroutine(1)
40 StateTransition M=1 P=0 G=1 GoID=1 Running->Runnable Reason="preempted" TransitionStack=["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283] Stack=["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283]
41 StateTransition M=1 P=0 G=-1 GoID=5 Runnable->Running Reason=""
42 Experimental M=1 P=0 G=5 Name=SpanAlloc Experiment=AllocFree Args=[id=33 npages_value=2 kindclass=5]
43 StateTransition M=1 P=0 G=5 GoID=5 Running->Waiting Reason="chan receive"
44 StateTransition M=1 P=0 G=-1 ProcID=0 Running->Idle Reason=""
45 Sync M=-1 P=-1 G=-1 N=2
`

func TestRichTrace(t *testing.T) {
	got := render(t, version.Go126, richTrace)
	if got != richWant {
		t.Errorf("canonical stream mismatch\n--- got ---\n%s--- want ---\n%s", got, richWant)
	}
}

// render builds a trace with gen and returns its canonical stream, one line per
// event delivered by the reader, then "error: <text>" if the reader failed. The
// lines come from a Printer; the test fails if AppendEvent, which caches
// nothing, renders any event differently (checkLine).
func render(t *testing.T, ver version.Version, gen func(*testgen.Trace)) string {
	t.Helper()
	data, err := gentrace.Binary(ver, gen)
	if err != nil {
		t.Fatal(err)
	}
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var (
		sb strings.Builder
		p  canon.Printer
	)
	for {
		ev, err := r.ReadEvent()
		if err == io.EOF {
			break
		}
		if err != nil {
			sb.WriteString("error: " + err.Error() + "\n")
			break
		}
		sb.Write(checkLine(t, p.Event(&ev), ev))
		sb.WriteByte('\n')
	}
	return sb.String()
}

// checkLine returns the bytes of line, the Printer's line of ev, and fails
// the test unless they are what AppendEvent renders into one buffer, and
// unless Line's Len, AppendTo and WriteTo agree.
func checkLine(t *testing.T, line *canon.Line, ev trace.Event) []byte {
	t.Helper()
	got := line.AppendTo([]byte("x"))[1:]
	if plain := canon.AppendEvent(nil, ev); !bytes.Equal(got, plain) {
		t.Fatalf("Printer and AppendEvent differ:\n%s\n%s", got, plain)
	}
	var w bytes.Buffer
	if n, err := line.WriteTo(&w); err != nil || n != int64(len(got)) || !bytes.Equal(w.Bytes(), got) {
		t.Fatalf("WriteTo wrote %d bytes (err %v): %q, want %q", n, err, w.Bytes(), got)
	}
	if line.Len() != len(got) {
		t.Fatalf("Len() = %d, want %d", line.Len(), len(got))
	}
	return got
}

// TestPrinterGenerations checks the stack cache across generations: the same
// stack ids name other frames in the next generation, and a stack that events
// share is printed the same every time.
func TestPrinterGenerations(t *testing.T) {
	got := render(t, version.Go126, func(t *testgen.Trace) {
		for gen, stk := range [][]trace.StackFrame{mainStack, workerStack} {
			g := t.Generation(uint64(gen + 1))
			g.Sync(1_000_000_000, testgen.Time(10+gen*100), 99+uint64(gen), time.Date(2025, 2, 28, 15, 4, 9+gen, 0, time.UTC))
			b := g.Batch(1, testgen.Time(20+gen*100))
			b.Event("ProcStatus", trace.ProcID(0), tracev2.ProcRunning)
			seq := uint64(1)
			if gen == 0 {
				b.Event("GoStatus", trace.GoID(1), trace.ThreadID(1), tracev2.GoRunning)
			} else {
				b.Event("GoStatus", trace.GoID(1), trace.NoThread, tracev2.GoRunnable)
				b.Event("GoStart", trace.GoID(1), testgen.Seq(seq))
				seq++
			}
			b.Event("GoStop", "preempted", stk)
			b.Event("GoStart", trace.GoID(1), testgen.Seq(seq))
			b.Event("GoStop", "yield", stk)
		}
	})
	const (
		mainText   = `["main.main"@0x401000 "/src/main.go":10, "runtime.main"@0x43a0e0 "/go/src/runtime/proc.go":283]`
		workerText = `["main.worker"@0x402000 "/src/main.go":20]`
	)
	want := `9 Sync M=-1 P=-1 G=-1 N=1 Trace=10 Mono=99 Wall=1740755049.000000000
21 StateTransition M=1 P=-1 G=-1 ProcID=0 Undetermined->Running Reason=""
22 StateTransition M=1 P=0 G=-1 GoID=1 Undetermined->Running Reason=""
23 StateTransition M=1 P=0 G=1 GoID=1 Running->Runnable Reason="preempted" TransitionStack=` + mainText + ` Stack=` + mainText + `
24 StateTransition M=1 P=0 G=-1 GoID=1 Runnable->Running Reason=""
25 StateTransition M=1 P=0 G=1 GoID=1 Running->Runnable Reason="yield" TransitionStack=` + mainText + ` Stack=` + mainText + `
109 Sync M=-1 P=-1 G=-1 N=2 Trace=110 Mono=100 Wall=1740755050.000000000
121 StateTransition M=1 P=0 G=-1 ProcID=0 Running->Running Reason=""
122 StateTransition M=1 P=0 G=-1 GoID=1 Runnable->Runnable Reason=""
123 StateTransition M=1 P=0 G=-1 GoID=1 Runnable->Running Reason=""
124 StateTransition M=1 P=0 G=1 GoID=1 Running->Runnable Reason="preempted" TransitionStack=` + workerText + ` Stack=` + workerText + `
125 StateTransition M=1 P=0 G=-1 GoID=1 Runnable->Running Reason=""
126 StateTransition M=1 P=0 G=1 GoID=1 Running->Runnable Reason="yield" TransitionStack=` + workerText + ` Stack=` + workerText + `
127 Sync M=-1 P=-1 G=-1 N=3
`
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

// TestWallBeforeEpoch pins the zone-independent wall-clock rendering for a
// negative Unix time: seconds are floored, nanoseconds count up from there.
func TestWallBeforeEpoch(t *testing.T) {
	got := render(t, version.Go125, func(t *testgen.Trace) {
		g := t.Generation(1)
		g.Sync(1_000_000_000, 10, 7, time.Unix(-1, 5))
		g.Batch(1, 20).Event("ProcStatus", trace.ProcID(0), tracev2.ProcIdle)
	})
	const want = `9 Sync M=-1 P=-1 G=-1 N=1 Trace=10 Mono=7 Wall=-1.000000005
21 StateTransition M=1 P=-1 G=-1 ProcID=0 Undetermined->Idle Reason=""
22 Sync M=-1 P=-1 G=-1 N=2
`
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

// TestOldSync checks a Go 1.23 trace: its Syncs carry no clock snapshot.
func TestOldSync(t *testing.T) {
	got := render(t, version.Go123, func(t *testgen.Trace) {
		g := t.Generation(1)
		g.Sync(1_000_000_000, 5, 0, time.Time{})
		b := g.Batch(1, 20)
		b.Event("ProcStatus", trace.ProcID(3), tracev2.ProcSyscallAbandoned)
		b.Event("GoStatus", trace.GoID(9), trace.ThreadID(1), tracev2.GoSyscall)
	})
	const want = `5 Sync M=-1 P=-1 G=-1 N=1
21 StateTransition M=1 P=-1 G=-1 ProcID=3 Undetermined->Idle Reason=""
22 StateTransition M=1 P=-1 G=-1 GoID=9 Undetermined->Syscall Reason=""
23 Sync M=-1 P=-1 G=-1 N=2
`
	if got != want {
		t.Errorf("got\n%swant\n%s", got, want)
	}
}

// TestPrinterManyStacks cycles through more distinct stacks than the Printer
// keeps at hand, so that stacks come from its map and from its recent ones;
// render checks every line against the uncached AppendEvent.
func TestPrinterManyStacks(t *testing.T) {
	const stacks = 13
	got := render(t, version.Go126, func(t *testgen.Trace) {
		g := t.Generation(1)
		g.Sync(1_000_000_000, 10, 99, time.Date(2025, 2, 28, 15, 4, 9, 0, time.UTC))
		b := g.Batch(1, 20)
		b.Event("ProcStatus", trace.ProcID(0), tracev2.ProcRunning)
		b.Event("GoStatus", trace.GoID(1), trace.ThreadID(1), tracev2.GoRunning)
		seq := uint64(1)
		for i := range 3 * stacks {
			k := i % stacks
			if i/stacks == 1 {
				k = stacks - 1 - k // the second round backwards
			}
			stk := []trace.StackFrame{{PC: 0x401000 + uint64(k), Func: "main.f", File: "/src/main.go", Line: uint64(k)}}
			b.Event("GoStop", "yield", stk)
			b.Event("GoStart", trace.GoID(1), testgen.Seq(seq))
			seq++
		}
	})
	if n := strings.Count(got, "Stack="); n != 2*3*stacks {
		t.Errorf("got %d stacks, want %d:\n%s", n, 2*3*stacks, got)
	}
	for k := range stacks {
		frame := fmt.Sprintf(`["main.f"@0x%x "/src/main.go":%d]`, 0x401000+k, k)
		if n := strings.Count(got, "TransitionStack="+frame+" Stack="+frame+"\n"); n != 3 {
			t.Errorf("stack %d printed %d times, want 3", k, n)
		}
	}
}

// TestCorpusLines checks the Printer's lines, whose stacks are references to
// its cache, against AppendEvent, which renders each line into one buffer,
// on every event of the traces of corpus/real and corpus/invalid-bin and of
// Go's golden tests: the same bytes, or the same panic.
func TestCorpusLines(t *testing.T) {
	var paths []string
	for _, dir := range []string{"real", "invalid-bin"} {
		m, _ := filepath.Glob(filepath.Join("..", "..", "..", "..", "corpus", dir, "*.trace"))
		paths = append(paths, m...)
	}
	if len(paths) == 0 {
		t.Skip("no corpus traces")
	}
	golden, _ := filepath.Glob(filepath.Join(runtime.GOROOT(), "src", "internal", "trace", "testdata", "tests", "*.test"))
	lines := 0
	for _, path := range append(paths, golden...) {
		var (
			data []byte
			err  error
		)
		if strings.HasSuffix(path, ".test") {
			data, err = testfile.Binary(path)
		} else {
			data, err = os.ReadFile(path)
		}
		if err != nil {
			t.Fatal(err)
		}
		t.Run(filepath.Base(path), func(t *testing.T) { lines += corpusLines(t, data) })
	}
	if lines == 0 {
		t.Error("no line compared")
	}
}

// corpusLines compares the lines of one trace (see TestCorpusLines) up to its
// end, a reader error or a getter's panic; it returns how many it compared.
func corpusLines(t *testing.T, data []byte) (n int) {
	r, err := trace.NewReader(bytes.NewReader(data))
	if err != nil {
		return 0
	}
	var p canon.Printer
	for {
		ev, err := readEvent(r)
		if err != nil {
			return n
		}
		line, pv := catch(func() *canon.Line { return p.Event(&ev) })
		plain, av := catch(func() []byte { return canon.AppendEvent(nil, ev) })
		if pv != nil || av != nil {
			if fmt.Sprint(pv) != fmt.Sprint(av) {
				t.Fatalf("event %d: Printer panics with %v, AppendEvent with %v", n, pv, av)
			}
			return n
		}
		if got := checkLine(t, line, ev); !bytes.Equal(got, plain) {
			t.Fatalf("event %d: AppendEvent differs from itself", n)
		}
		n++
	}
}

// readEvent is r.ReadEvent with a panic returned as an error.
func readEvent(r *trace.Reader) (ev trace.Event, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic: %v", v)
		}
	}()
	return r.ReadEvent()
}

// catch returns f's result, or the value it panicked with.
func catch[T any](f func() T) (res T, panicked any) {
	defer func() { panicked = recover() }()
	return f(), nil
}
