package dl

import (
	"runtime"
	"time"

	"godl.dev/godl/accel/cpu"
)

// Choosing between one core and two as training goes.
//
// Whether a second core speeds a training step up depends on more than the work. On the
// shared virtual machine this was developed on, the same MNIST MLP epoch on two cores
// measured anywhere from 25 % faster to 15 % slower than on one, from one run to the next:
// the host moves the two virtual CPUs between its cores (at times onto the two threads of
// one core) and runs other tenants beside them. So Fit measures as it trains: it runs
// blocks of steps alternately with the second core (the next batch converted ahead,
// products split across cores) and without it, keeps the faster way, and measures the
// other again every few blocks. Results are the same either way, to the bit.
//
// The choice is process-wide (cpu.UseOneCore): two Fits running at once in one process
// would steer each other's speed, never their results.

const (
	governBlock   = 64 // steps per measured block
	governExplore = 8  // every this many blocks, the slower way is measured again
)

// coreGovernor times Fit's steps with and without the second core and picks the faster.
type coreGovernor struct {
	twoCores bool       // the current block uses the second core
	steps    int        // steps of the current block so far
	start    time.Time  // when the current block began
	cost     [2]float64 // moving averages of ns per step: one core [0], two [1]; 0 until measured
	blocks   int        // blocks measured
	warm     bool       // the first block (buffers being made, caches cold) is behind
}

// newCoreGovernor returns a governor for a Fit, or nil on one core.
func newCoreGovernor() *coreGovernor {
	if runtime.GOMAXPROCS(0) < 2 {
		return nil
	}
	return &coreGovernor{twoCores: true}
}

// step is called before each training step and reports whether the step may use the
// second core.
func (g *coreGovernor) step() bool {
	if g.steps == governBlock {
		g.endBlock()
	}
	if g.steps == 0 {
		g.start = time.Now()
		cpu.UseOneCore(!g.twoCores)
	}
	g.steps++
	return g.twoCores
}

// endBlock records the block just run and chooses the way of the next one.
func (g *coreGovernor) endBlock() {
	ns := float64(time.Since(g.start)) / float64(g.steps)
	g.steps = 0
	if !g.warm {
		g.warm = true
		g.twoCores = false
		return
	}
	i := 0
	if g.twoCores {
		i = 1
	}
	if g.cost[i] == 0 {
		g.cost[i] = ns
	} else {
		g.cost[i] += (ns - g.cost[i]) / 4
	}
	g.blocks++
	switch {
	case g.cost[0] == 0:
		g.twoCores = false
	case g.cost[1] == 0:
		g.twoCores = true
	default:
		faster := g.cost[1] <= g.cost[0]
		g.twoCores = faster != (g.blocks%governExplore == 0)
	}
}

// pause ends the current block unmeasured (an epoch ends: validation and callbacks would
// count in it) and gives the kernels both cores until the next step.
func (g *coreGovernor) pause() {
	g.steps = 0
	cpu.UseOneCore(false)
}
