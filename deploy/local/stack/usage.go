package stack

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Usage is what a process has used since it started, read from /proc
// (Linux only; elsewhere Usage returns an error).
type Usage struct {
	// CPU is its user plus system CPU time.
	CPU time.Duration
	// PeakRSS is its peak resident set size in bytes (VmHWM): anonymous
	// memory (the Go heap) and the pages of files it maps (the index's
	// segments), which the kernel can drop under memory pressure.
	PeakRSS int64
	// RSS and RSSAnon are its resident set size now, in bytes: in all, and
	// its anonymous memory alone (VmRSS, RssAnon).
	RSS, RSSAnon int64
}

// clockTick is the unit of utime and stime in /proc/<pid>/stat: USER_HZ,
// 100 on every Linux architecture Go supports.
const clockTick = 10 * time.Millisecond

// Usage reads the named process's CPU time and peak RSS.
func (s *Stack) Usage(name string) (Usage, error) {
	pid, err := s.PID(name)
	if err != nil {
		return Usage{}, err
	}
	return ProcessUsage(pid)
}

// ProcessUsage reads a process's CPU time and peak RSS from /proc.
func ProcessUsage(pid int) (Usage, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return Usage{}, err
	}
	// The command name, field 2, is in parentheses and may hold spaces:
	// count fields after its closing one. utime and stime are fields 14
	// and 15, so the 12th and 13th after the name.
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return Usage{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return Usage{}, fmt.Errorf("/proc/%d/stat: bad utime %q or stime %q", pid, f[11], f[12])
	}
	u := Usage{CPU: time.Duration(utime+stime) * clockTick}
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return Usage{}, err
	}
	fields := map[string]*int64{"VmHWM": &u.PeakRSS, "VmRSS": &u.RSS, "RssAnon": &u.RSSAnon}
	found := 0
	for _, l := range strings.Split(string(status), "\n") {
		name, v, ok := strings.Cut(l, ":")
		if dst := fields[name]; ok && dst != nil {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return Usage{}, fmt.Errorf("/proc/%d/status: %s %q: %w", pid, name, v, err)
			}
			*dst = kb << 10
			found++
		}
	}
	if found < len(fields) {
		return Usage{}, fmt.Errorf("/proc/%d/status lacks VmHWM, VmRSS or RssAnon", pid)
	}
	return u, nil
}

// SelfCPU returns the CPU time this process has used, user plus system,
// from getrusage: finer than /proc's ticks of 10 ms, for short measurements.
func SelfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
