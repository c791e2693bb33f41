package dl

import (
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"godl.dev/godl/display"
)

// bundleSink records the bundles a notebook's sink receives, by display id.
type bundleSink struct {
	mu       sync.Mutex
	displays []display.Bundle
	updates  map[string][]display.Bundle
}

func (s *bundleSink) Display(b display.Bundle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.displays = append(s.displays, b)
}

func (s *bundleSink) Update(b display.Bundle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.updates == nil {
		s.updates = map[string][]display.Bundle{}
	}
	s.updates[b.ID] = append(s.updates[b.ID], b)
}

func (s *bundleSink) ClearOutput(bool) {}

// last returns the final state of display i.
func (s *bundleSink) last(i int) display.Bundle {
	b := s.displays[i]
	if u := s.updates[b.ID]; len(u) > 0 {
		return u[len(u)-1]
	}
	return b
}

// fakeClock replaces the progress bars' clock with one the test advances.
func fakeClock(t *testing.T) *time.Time {
	clock := time.Unix(0, 0)
	prev := now
	now = func() time.Time { return clock }
	t.Cleanup(func() { now = prev })
	return &clock
}

func installSink(t *testing.T) *bundleSink {
	s := &bundleSink{}
	prev := display.SetSink(s)
	t.Cleanup(func() { display.SetSink(prev) })
	return s
}

// TestLiveViewThrottles drives the live view with a clock that advances 10 ms per batch:
// 3 epochs of 1000 batches over 30 s must give at most 4 log updates a second, and one
// curves image per epoch.
func TestLiveViewThrottles(t *testing.T) {
	s := installSink(t)
	clock := fakeClock(t)
	v := newLiveView("Train on 1000 samples", 1000, 3, "sample")
	for e := range 3 {
		v.beginEpoch(e)
		logs := []logValue{{"loss", 1 / float64(e+1)}}
		for i := 1; i <= 1000; i++ {
			*clock = clock.Add(10 * time.Millisecond)
			if v.due(i) {
				v.update(i, logs)
			}
		}
		v.endEpoch(logs)
	}
	if len(s.displays) != 2 {
		t.Fatalf("displays = %d, want 2 (the log and the curves)", len(s.displays))
	}
	logID, curvesID := s.displays[0].ID, s.displays[1].ID
	// 30 s at 4 a second, plus each epoch's begin and end.
	if n := len(s.updates[logID]); n < 100 || n > 126 {
		t.Errorf("log updates over 30 s = %d, want about 120", n)
	}
	if n := len(s.updates[curvesID]); n != 2 {
		t.Errorf("curves updates = %d, want 2 (after epochs 2 and 3)", n)
	}
	for _, b := range append(s.updates[logID], s.displays[0]) {
		if _, ok := b.Data[display.MIMEPNG]; ok || strings.Contains(b.Data[display.MIMEHTML].(string), "<img") {
			t.Fatal("the log display carries an image")
		}
	}
	curves := s.last(1)
	if _, ok := curves.Data[display.MIMEPNG].(string); !ok {
		t.Fatalf("the curves display has no PNG: %v", curves.Data)
	}
	if got := curves.Data[display.MIMEText]; got != "<training curves of loss over 3 epochs>" {
		t.Errorf("curves text/plain %q", got)
	}
	if got := s.displays[1].Data[display.MIMEText]; got != "<training curves of loss over 1 epoch>" {
		t.Errorf("first curves text/plain %q", got)
	}
	text := s.last(0).Data[display.MIMEText].(string)
	if !strings.HasPrefix(text, "Train on 1000 samples\nEpoch 1/3\n1000/1000 [") || strings.Count(text, "1000/1000 [=") != 3 {
		t.Errorf("final log:\n%s", text)
	}
}

// TestLiveViewUnknownSteps checks FitDataset's view of a data set of unknown length: the
// first epoch counts steps without a bar, later ones know the count.
func TestLiveViewUnknownSteps(t *testing.T) {
	s := installSink(t)
	clock := fakeClock(t)
	p := &progressLogger{out: os.Stdout, verbose: 1, samples: 0, valSamples: 10, epochs: 2, steps: true}
	p.OnTrainBegin(nil)
	if p.live == nil {
		t.Fatal("no live view with a rich sink and standard output")
	}
	v := p.live
	for e := range 2 {
		p.OnEpochBegin(e, nil)
		for i := 1; i <= 5; i++ {
			*clock = clock.Add(time.Second)
			if v.due(i) {
				v.update(i, []logValue{{"loss", 0.5}})
			}
		}
		if e == 0 {
			html := s.last(0).Data[display.MIMEHTML].(string)
			text := s.last(0).Data[display.MIMEText].(string)
			if !strings.Contains(html, "<progress style=") || !strings.HasSuffix(text, "      5/Unknown - 5s 1s/step - loss: 0.5000") {
				t.Errorf("unknown length: HTML %s\ntext %q", html, text)
			}
			p.samples = 0
			p.live.setTarget(5) // what OnEpochEnd does with p.seen
		}
		v.endEpoch([]logValue{{"loss", 0.5}})
	}
	text := s.last(0).Data[display.MIMEText].(string)
	want := regexp.MustCompile(`^Train for an unknown number of steps, validate on 10 samples\nEpoch 1/2\n5/5 \[={30}\] - 5s 1s/step - loss: 0.5000\nEpoch 2/2\n5/5 \[={30}\] - 5s 1s/step - loss: 0.5000$`)
	if !want.MatchString(text) {
		t.Errorf("final log:\n%s", text)
	}
}

// TestProgbarLive checks Evaluate's bar in a notebook: one display, at most 4 updates a
// second, and the Keras line as the final text.
func TestProgbarLive(t *testing.T) {
	s := installSink(t)
	clock := fakeClock(t)
	bar := newProgbar(os.Stdout, 1000, 1)
	if bar.live == nil {
		t.Fatal("no live bar with a rich sink and standard output")
	}
	for i := 1; i <= 1000; i++ {
		*clock = clock.Add(10 * time.Millisecond)
		if bar.due(i) {
			bar.update(i, []logValue{{"loss", 0.25}})
		}
	}
	bar.finish(1000, []logValue{{"loss", 0.25}, {"accuracy", 0.5}})
	if len(s.displays) != 1 {
		t.Fatalf("displays = %d, want 1", len(s.displays))
	}
	if n := len(s.updates[s.displays[0].ID]); n < 35 || n > 41 {
		t.Errorf("updates over 10 s = %d, want about 40", n)
	}
	final := s.last(0)
	if got, want := final.Data[display.MIMEText], "1000/1000 [==============================] - 10s 10ms/sample - loss: 0.2500 - accuracy: 0.5000"; got != want {
		t.Errorf("final text %q, want %q", got, want)
	}
	if !strings.Contains(final.Data[display.MIMEHTML].(string), `<progress value="1000" max="1000"`) {
		t.Errorf("final HTML %s", final.Data[display.MIMEHTML])
	}
	bar.abort()
	if got := s.last(0).Data[display.MIMEText].(string); !strings.HasSuffix(got, " - interrupted") {
		t.Errorf("aborted bar text %q", got)
	}

	// Without a rich sink, or to another writer, the bar is text.
	display.SetSink(nil)
	if newProgbar(os.Stdout, 10, 1).live != nil {
		t.Error("live bar without a rich sink")
	}
	installSink(t)
	var b strings.Builder
	if newProgbar(&b, 10, 1).live != nil || newProgbar(os.Stdout, 10, 2).live != nil {
		t.Error("live bar for LogTo or verbose 2")
	}
}
