// Command syscalls spends its time in system calls: a pipe whose descriptors
// are in blocking mode (reads and writes block in the kernel, so the runtime
// hands Ps off and steals them back), a pipe left to the network poller, file
// writes with fsync and reads, and many short system calls.
package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"gotrace-harness/testprogs/internal/tracing"
)

func main() { tracing.Main(work) }

func work(deadline time.Time) error {
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	run := func(f func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := f(); err != nil {
				errs <- err
			}
		}()
	}

	// Blocking pipe: Fd() switches the descriptors to blocking mode.
	br, bw, err := os.Pipe()
	if err != nil {
		return err
	}
	br.Fd()
	bw.Fd()
	run(func() error { return pump(bw, deadline, 4096, time.Millisecond) })
	run(func() error { return drain(br) })

	// Polled pipe: reads park in the network poller instead.
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	run(func() error { return pump(pw, deadline, 512, 300*time.Microsecond) })
	run(func() error { return drain(pr) })

	// File I/O with fsync.
	dir, err := os.MkdirTemp("", "gth-syscalls-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	run(func() error { return files(dir, deadline) })

	// Many short system calls.
	run(func() error {
		for time.Now().Before(deadline) {
			for i := 0; i < 100; i++ {
				os.Getpid()
				if _, err := os.Stat(dir); err != nil {
					return err
				}
			}
			time.Sleep(200 * time.Microsecond)
		}
		return nil
	})

	wg.Wait()
	close(errs)
	return <-errs
}

// pump writes chunks to w until the deadline, pausing between them, then
// closes w.
func pump(w *os.File, deadline time.Time, size int, pause time.Duration) error {
	chunk := bytes.Repeat([]byte{'x'}, size)
	for time.Now().Before(deadline) {
		if _, err := w.Write(chunk); err != nil {
			w.Close()
			return err
		}
		time.Sleep(pause)
	}
	return w.Close()
}

func drain(r *os.File) error {
	defer r.Close()
	_, err := io.Copy(io.Discard, r)
	return err
}

func files(dir string, deadline time.Time) error {
	data := bytes.Repeat([]byte("0123456789abcdef"), 4096)
	for i := 0; time.Now().Before(deadline); i++ {
		name := filepath.Join(dir, "f")
		f, err := os.Create(name)
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		got, err := os.ReadFile(name)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, data) {
			return io.ErrShortWrite
		}
	}
	return nil
}
