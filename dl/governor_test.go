package dl

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// runBlocks drives g through blocks whose steps take cost[w] in way w, and returns the
// ways of the blocks, in order, as digits.
func runBlocks(g *coreGovernor, blocks int, cost [ways]time.Duration) string {
	var got []byte
	for b := 0; b < blocks; b++ {
		g.step()
		way := g.way
		for i := 1; i < governBlock; i++ {
			g.step()
		}
		got = append(got, byte('0'+way))
		g.start = time.Now().Add(-cost[way] * governBlock) // the block took this long
	}
	return string(got)
}

func TestGovernorKeepsTheFastestWayAndExplores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer (&coreGovernor{}).pause()
	us := time.Microsecond
	for _, c := range []struct {
		cost [ways]time.Duration
		best byte
	}{
		{[ways]time.Duration{300 * us, 250 * us, 280 * us}, '1'},    // the MLP: prefetching only
		{[ways]time.Duration{2000 * us, 1800 * us, 1300 * us}, '2'}, // LeNet-5: split products too
		{[ways]time.Duration{200 * us, 240 * us, 260 * us}, '0'},    // a busy second core
	} {
		g := newCoreGovernor()
		got := runBlocks(g, 4+6*governExplore, c.cost)
		// A warm-up block (not counted), each way once, then the fastest.
		if !strings.HasPrefix(got, "2012") {
			t.Errorf("costs %v: ways %s, want 2012 first", c.cost, got)
		}
		rest := got[4:]
		others := len(rest) - strings.Count(rest, string(c.best))
		if others > len(rest)/governExplore+1 {
			t.Errorf("costs %v: ways %s: %d blocks not in the fastest way %c", c.cost, got, others, c.best)
		}
		for w := byte('0'); w < '0'+ways; w++ {
			if !strings.Contains(rest, string(w)) {
				t.Errorf("costs %v: ways %s: way %c never measured again", c.cost, got, w)
			}
		}
	}
	// A change of conditions is followed.
	g := newCoreGovernor()
	runBlocks(g, 20, [ways]time.Duration{200 * us, 240 * us, 260 * us})
	got := runBlocks(g, 4*governExplore, [ways]time.Duration{300 * us, 300 * us, 150 * us})
	if strings.Count(got[2*governExplore:], "2") < 2*governExplore-3 {
		t.Errorf("after splitting became the fastest: ways %s", got)
	}
}

func TestNoGovernorOnOneCore(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if newCoreGovernor() != nil {
		t.Error("a governor on one core")
	}
}
