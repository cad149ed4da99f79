package main

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// readRSS returns a process's resident memory (VmRSS) in bytes.
func readRSS(pid int) (int64, error) { return procStatus(pid, "VmRSS") }

// readHWM returns a process's peak resident memory so far (VmHWM).
func readHWM(pid int) (int64, error) { return procStatus(pid, "VmHWM") }

func procStatus(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/%d/status %s: %v", pid, field, err)
		}
		return kb * 1024, nil
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// rssSampler records the highest VmRSS of a process while it runs,
// sampling every 10 ms: VmHWM alone covers the whole life of the process,
// not one workload.
type rssSampler struct {
	stopc chan struct{}
	wg    sync.WaitGroup
	peak  int64
}

func sampleRSS(pid int) *rssSampler {
	s := &rssSampler{stopc: make(chan struct{})}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			if v, err := readRSS(pid); err == nil && v > s.peak {
				s.peak = v
			}
			select {
			case <-s.stopc:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

// stop ends the sampling and returns the peak seen.
func (s *rssSampler) stop() int64 {
	close(s.stopc)
	s.wg.Wait()
	return s.peak
}
