//go:build unix

package ledger_test

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time the process has used, user and system: a
// benchmark measure that other load on the machine does not inflate the
// way it does wall time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
