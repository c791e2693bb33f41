package cpu

import "testing"

// A splitChoice measures split first, then whole, then keeps the faster mode and tries the
// other every splitExplore calls; when the other becomes faster, it switches.
func TestSplitChoiceLearnsTheFasterMode(t *testing.T) {
	var s splitChoice
	if !s.split() {
		t.Fatal("first call not split: the split mode is measured first")
	}
	s.record(true, 100_000, 1<<21) // split: 100 µs
	if s.split() {
		t.Fatal("second call split: the whole mode is not measured yet")
	}
	s.record(false, 50_000, 1<<21) // whole: 50 µs, faster
	splits := 0
	for range 10 * splitExplore {
		if s.split() {
			splits++
		}
	}
	if splits != 10 {
		t.Errorf("split %d of %d calls while whole is faster, want 1 in %d", splits, 10*splitExplore, splitExplore)
	}
	for range 40 { // splitting becomes much faster
		s.record(true, 10_000, 1<<21)
	}
	wholes := 0
	for range 10 * splitExplore {
		if !s.split() {
			wholes++
		}
	}
	if wholes != 10 {
		t.Errorf("whole in %d of %d calls once split is faster, want 1 in %d", wholes, 10*splitExplore, splitExplore)
	}
}

func TestSplitClass(t *testing.T) {
	for _, c := range []struct{ flops, class int }{{1 << 21, 0}, {1<<22 - 1, 0}, {1 << 22, 1}, {3 << 22, 2}, {1<<24 - 1, 2}} {
		if got := splitClass(c.flops); got != &gemmSplit[c.class] {
			t.Errorf("splitClass(%d) is not class %d", c.flops, c.class)
		}
	}
}

// resetSplitChoices forgets what the size classes measured, as at the start of a process.
func resetSplitChoices() {
	for i := range gemmSplit {
		gemmSplit[i].cost[0].Store(0)
		gemmSplit[i].cost[1].Store(0)
		gemmSplit[i].calls.Store(0)
	}
}
