package dl

import (
	"runtime"
	"time"

	"godl.dev/godl/accel/cpu"
)

// Choosing how to use a second core as training goes.
//
// Whether a second core speeds a training step up depends on more than the work. On the
// shared virtual machine this was developed on, the same MNIST MLP epoch on two cores
// measured anywhere from 25 % faster to 15 % slower than on one, from one run to the next
// (the host moves the two virtual CPUs between its cores, at times onto the two threads of
// one, and runs other tenants beside them), and what pays differs by model: splitting the
// MLP's short products made its steps slower, LeNet-5's faster. So Fit measures as it
// trains. It runs blocks of steps in each of three ways:
//
//   - one core: everything on the training goroutine;
//   - prefetch: the next batch converted ahead on the second core (prefetch.go), and only
//     long kernel calls split (cpu.SplitLarge);
//   - split: prefetching, and short products split too (cpu.SplitAll);
//
// then keeps the fastest, measuring another way again every 32 blocks, in turn: switching
// ways has costs of its own (workers parked by a block on one core must be woken), and
// measuring every 8 blocks made LeNet-5's two-core epochs 10 % slower than no governor at
// all. Results are the same whichever way a step runs, to the bit.
//
// The choice is process-wide (cpu.SetSplitPolicy): two Fits running at once in one process
// would steer each other's speed, never their results.

// The ways a block of steps may run.
const (
	wayOneCore = iota
	wayPrefetch
	waySplit
	ways
)

const (
	governBlock   = 64 // steps per measured block
	governExplore = 32 // after this many blocks in the fastest way, another is measured
)

// coreGovernor times Fit's steps in each way and picks the fastest.
type coreGovernor struct {
	way    int           // the way of the current block
	steps  int           // steps of the current block so far
	start  time.Time     // when the current block began
	cost   [ways]float64 // moving averages of ns per step; 0 until measured
	blocks int           // blocks measured
	next   int           // the way the next exploration measures
	warm   bool          // the first block (buffers being made, caches cold) is behind
}

// newCoreGovernor returns a governor for a Fit, or nil on one core.
func newCoreGovernor() *coreGovernor {
	if runtime.GOMAXPROCS(0) < 2 {
		return nil
	}
	return &coreGovernor{way: waySplit}
}

var splitPolicies = [ways]cpu.SplitPolicy{wayOneCore: cpu.SplitNone, wayPrefetch: cpu.SplitLarge, waySplit: cpu.SplitAll}

// step is called before each training step and reports whether the step may convert the
// next batch on the second core.
func (g *coreGovernor) step() bool {
	if g.steps == governBlock {
		g.endBlock()
	}
	if g.steps == 0 {
		g.start = time.Now()
		cpu.SetSplitPolicy(splitPolicies[g.way])
	}
	g.steps++
	return g.way != wayOneCore
}

// endBlock records the block just run and chooses the way of the next one: each way once,
// in order, then the fastest, with another way in turn after every governExplore blocks.
func (g *coreGovernor) endBlock() {
	ns := float64(time.Since(g.start)) / float64(g.steps)
	g.steps = 0
	if !g.warm {
		g.warm = true
		g.way = wayOneCore
		return
	}
	if c := &g.cost[g.way]; *c == 0 {
		*c = ns
	} else {
		*c += (ns - *c) / 4
	}
	g.blocks++
	for w := range g.cost {
		if g.cost[w] == 0 {
			g.way = w
			return
		}
	}
	best := 0
	for w := range g.cost {
		if g.cost[w] < g.cost[best] {
			best = w
		}
	}
	g.way = best
	if g.blocks%governExplore == 0 {
		if g.next == best {
			g.next = (g.next + 1) % ways
		}
		g.way = g.next
		g.next = (g.next + 1) % ways
	}
}

// pause ends the current block unmeasured (an epoch ends: validation and callbacks would
// count in it) and lets the kernels split calls as usual until the next step.
func (g *coreGovernor) pause() {
	g.steps = 0
	cpu.SetSplitPolicy(cpu.SplitAll)
}
