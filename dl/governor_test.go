package dl

import (
	"runtime"
	"strings"
	"testing"
	"time"
)

// runBlocks drives g through blocks whose steps take oneNs or twoNs each, as the block's
// way says, and returns the ways chosen, in order ('1' one core, '2' two).
func runBlocks(g *coreGovernor, blocks int, oneNs, twoNs time.Duration) string {
	var ways []byte
	for b := 0; b < blocks; b++ {
		two := g.step()
		for i := 1; i < governBlock; i++ {
			g.step()
		}
		ns := oneNs
		way := byte('1')
		if two {
			ns, way = twoNs, '2'
		}
		ways = append(ways, way)
		g.start = time.Now().Add(-ns * governBlock) // the block took this long
	}
	return string(ways)
}

func TestGovernorKeepsTheFasterWayAndExplores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	defer (&coreGovernor{}).pause()
	g := newCoreGovernor()
	// A warm-up block (two cores, not counted), one of each, then the faster, with the
	// slower measured again after every governExplore measured blocks.
	if got, want := runBlocks(g, 20, 300*time.Microsecond, 240*time.Microsecond), "21222222212222222122"; got != want {
		t.Errorf("two cores faster: ways %s, want %s", got, want)
	}
	g = newCoreGovernor()
	if got, want := runBlocks(g, 20, 200*time.Microsecond, 240*time.Microsecond), "21211111121111111211"; got != want {
		t.Errorf("one core faster: ways %s, want %s", got, want)
	}
	// A change of conditions is followed: two cores become the faster way.
	got := runBlocks(g, 24, 300*time.Microsecond, 200*time.Microsecond)
	if ones := strings.Count(got[8:], "1"); ones > 2 {
		t.Errorf("after two cores became faster: ways %s, want two cores but for explorations", got)
	}
}

func TestNoGovernorOnOneCore(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if newCoreGovernor() != nil {
		t.Error("a governor on one core")
	}
}
