//go:build !unix

package store_test

import "time"

// cpuTime is not measured here; benchmarks then report no CPU metric.
func cpuTime() time.Duration { return 0 }
