package cpu

import (
	"math/bits"
	"sync/atomic"
)

// splitChoice learns, for one size class of products in the spin range (gemmSpinMinFlops
// up to gemmParMinFlops), whether splitting them onto spinning workers is faster than
// computing them whole on the caller, from the times of the calls themselves. Whether a
// split of a 50 µs product pays depends on things the code cannot see: how the host
// places the two virtual CPUs, what the Go runtime's garbage collector is doing, other
// processes. Measuring settles it: the faster mode is used, and the other is tried again
// every splitExplore calls, so that a change in conditions is noticed. Either way the
// results are the same (products are bit-identical however they are split).
type splitChoice struct {
	// cost holds moving averages of picoseconds per FLOP: [0] whole, [1] split; 0 until
	// measured.
	cost  [2]atomic.Int64
	calls atomic.Uint32
}

// splitExplore is how often (in calls of one size class) the mode currently losing is
// timed again.
const splitExplore = 16

// gemmSplit holds the choices for the size classes 2^21, 2^22 and 2^23 FLOP.
var gemmSplit [3]splitChoice

// splitClass returns the choice for a product of flops, which is in the spin range.
func splitClass(flops int) *splitChoice {
	c := bits.Len(uint(flops)) - 22 // 2^21 ≤ flops < 2^22 gives 0
	return &gemmSplit[min(max(c, 0), len(gemmSplit)-1)]
}

// split reports whether the next call of this class should be split.
func (s *splitChoice) split() bool {
	n := s.calls.Add(1)
	whole, split := s.cost[0].Load(), s.cost[1].Load()
	switch {
	case split == 0:
		return true
	case whole == 0:
		return false
	}
	faster := split < whole
	if n%splitExplore == 0 {
		return !faster
	}
	return faster
}

// record adds the time of one call (ns, for flops) in the mode it ran in to the average.
// Concurrent calls may lose an update; the average only steers a choice.
func (s *splitChoice) record(split bool, ns int64, flops int) {
	ps := ns * 1000 / int64(max(flops, 1))
	i := 0
	if split {
		i = 1
	}
	old := s.cost[i].Load()
	if old == 0 {
		s.cost[i].Store(max(ps, 1))
		return
	}
	s.cost[i].Store(max(old+(ps-old)/8, 1))
}
