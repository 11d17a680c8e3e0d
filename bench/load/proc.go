package load

import (
	"syscall"
	"time"
)

// selfCPU returns the CPU time this process has used: the embedded NATS
// server and the load generator.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
