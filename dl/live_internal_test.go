package dl

import (
	"strings"
	"testing"
	"time"

	"godl.dev/godl/display"
)

type countSink struct{ displays, updates int }

func (s *countSink) Display(display.Bundle) { s.displays++ }
func (s *countSink) Update(display.Bundle)  { s.updates++ }
func (s *countSink) ClearOutput(bool)       {}

// TestLiveViewThrottles drives the live view with a clock that advances 10 ms per batch:
// 1000 batches over 10 s must give at most 4 updates a second.
func TestLiveViewThrottles(t *testing.T) {
	s := &countSink{}
	prev := display.SetSink(s)
	defer display.SetSink(prev)
	clock := time.Unix(0, 0)
	defer func(f func() time.Time) { now = f }(now)
	now = func() time.Time { return clock }

	v := newLiveView("Train on 1000 samples", 1000, 1)
	v.beginEpoch(0)
	logs := []logValue{{"loss", 0.5}}
	for i := 1; i <= 1000; i++ {
		clock = clock.Add(10 * time.Millisecond)
		if v.due(i) {
			v.update(i, logs)
		}
	}
	v.endEpoch(logs)
	if s.displays != 1 {
		t.Errorf("displays = %d, want 1", s.displays)
	}
	// 10 s at 4 a second, plus the epoch's end.
	if s.updates < 35 || s.updates > 41 {
		t.Errorf("updates over 10 s = %d, want about 40", s.updates)
	}
	if !strings.Contains(v.html.String(), "data:image/png;base64,") {
		t.Error("the view after an epoch has no curves image")
	}
}
