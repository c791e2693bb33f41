package dl

import (
	"strings"
	"testing"
	"time"
)

// TestProgbarUnknownTarget: a data set of unknown length counts "n/Unknown" in place and
// ends its line when the pass ends, as TF 2.0's Progbar does.
func TestProgbarUnknownTarget(t *testing.T) {
	clock := fakeClock(t)
	var out strings.Builder
	bar := newProgbar(&out, 0, 1)
	bar.unit = "step"
	for i := 1; i <= 10; i++ {
		*clock = clock.Add(100 * time.Millisecond)
		if bar.due(i) {
			bar.update(i, []logValue{{"loss", 0.5}})
		}
	}
	bar.finish(10, []logValue{{"loss", 0.25}})
	got := out.String()
	want := "\r     10/Unknown - 1s 100ms/step - loss: 0.2500\n"
	if !strings.HasPrefix(got, "      1/Unknown - 0s 100ms/step - loss: 0.5000\r") || !strings.HasSuffix(got, want) {
		t.Errorf("log %q, want updates in place ending in %q", got, want)
	}
	if n := strings.Count(got, "\n"); n != 1 {
		t.Errorf("log has %d line ends, want 1:\n%q", n, got)
	}
}
