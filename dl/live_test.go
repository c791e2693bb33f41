package dl_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"godl.dev/godl/display"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/optimizers"
	"godl.dev/godl/interrupt"
)

// recordSink records what a notebook's display sink would receive.
type recordSink struct {
	mu       sync.Mutex
	displays []display.Bundle
	updates  []display.Bundle
}

func (s *recordSink) Display(b display.Bundle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.displays = append(s.displays, b)
}

func (s *recordSink) Update(b display.Bundle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.updates = append(s.updates, b)
}

func (s *recordSink) ClearOutput(bool) {}

func withSink(t *testing.T) *recordSink {
	s := &recordSink{}
	prev := display.SetSink(s)
	t.Cleanup(func() { display.SetSink(prev) })
	return s
}

func TestFitLiveViewInNotebook(t *testing.T) {
	dl.SetSeed(7)
	x := dl.RandomUniform(0, 1, 4096, 8)
	y := dl.FromInts(make([]int, 4096))
	m := compile(dl.NewSequential(layers.Dense(16, layers.ReLU), layers.Dense(2, layers.Softmax)))
	s := withSink(t)
	const epochs = 3
	start := time.Now()
	h := m.Fit(x, y, dl.Epochs(epochs), dl.BatchSize(8), dl.Verbose(1), dl.ValidationSplit(0.25))
	elapsed := time.Since(start)
	// Two displays: the log with its bar, then the curves from the first epoch's end.
	if len(s.displays) != 2 {
		t.Fatalf("Fit made %d displays, want 2", len(s.displays))
	}
	logID, curvesID := s.displays[0].ID, s.displays[1].ID
	if logID == "" || curvesID == "" || logID == curvesID {
		t.Fatalf("display ids %q and %q, want two distinct ids", logID, curvesID)
	}
	var logUpdates, curvesUpdates []display.Bundle
	for _, b := range s.updates {
		switch b.ID {
		case logID:
			logUpdates = append(logUpdates, b)
		case curvesID:
			curvesUpdates = append(curvesUpdates, b)
		default:
			t.Fatalf("update of an unknown display %q", b.ID)
		}
	}
	// The log: one update per epoch begin and end, plus at most 4 a second during the
	// epochs; the curves: one per later epoch.
	if max := 2*epochs + int(elapsed.Seconds()*4) + 1; len(logUpdates) > max {
		t.Errorf("Fit made %d log updates in %v, want at most %d", len(logUpdates), elapsed, max)
	}
	if len(logUpdates) < 2*epochs-1 {
		t.Errorf("Fit made %d log updates, want at least %d (epoch begins and ends)", len(logUpdates), 2*epochs-1)
	}
	if len(curvesUpdates) != epochs-1 {
		t.Errorf("Fit made %d curves updates, want %d", len(curvesUpdates), epochs-1)
	}
	for i, b := range append(s.displays, s.updates...) {
		if _, ok := b.Data[display.MIMEText].(string); !ok {
			t.Fatalf("bundle %d has no text/plain", i)
		}
	}
	last := logUpdates[len(logUpdates)-1]
	text := last.Data[display.MIMEText].(string)
	html, _ := last.Data[display.MIMEHTML].(string)
	// The record keeps every epoch's final line, as Keras's log does.
	for _, want := range []string{"Train on 3072 samples, validate on 1024 samples", "Epoch 1/3", "Epoch 2/3", "Epoch 3/3", "3072/3072 [" + strings.Repeat("=", 30) + "]"} {
		if !strings.Contains(text, want) {
			t.Errorf("final text/plain %q lacks %q", text, want)
		}
	}
	for _, k := range []string{"loss", "accuracy", "val_loss", "val_accuracy"} {
		v := h.History[k][epochs-1]
		want := fmt.Sprintf("%s: %.4f", k, v)
		if math.Abs(v) <= 1e-3 {
			want = fmt.Sprintf("%s: %.4e", k, v)
		}
		if !strings.Contains(text, want) {
			t.Errorf("final text/plain %q lacks the last %s (%v)", text, k, v)
		}
	}
	if !strings.Contains(html, `<progress value="3072" max="3072"`) {
		t.Errorf("final HTML lacks the full progress bar:\n%.300s", html)
	}
	curves := curvesUpdates[len(curvesUpdates)-1]
	if png, _ := curves.Data[display.MIMEPNG].(string); !strings.HasPrefix(png, "iVBORw0KGgo") {
		t.Errorf("final curves bundle has no PNG")
	}
	if got, want := curves.Data[display.MIMEText], "<training curves of loss, accuracy, val_loss, val_accuracy over 3 epochs>"; got != want {
		t.Errorf("curves text/plain %q, want %q", got, want)
	}
}

// TestEvaluateLiveBar: Evaluate in a notebook shows one bar display, and writes nothing.
func TestEvaluateLiveBar(t *testing.T) {
	x := dl.RandomUniform(0, 1, 256, 3)
	y := dl.FromInts(make([]int, 256))
	m := compile(dl.NewSequential(layers.Dense(2, layers.Softmax)))
	s := withSink(t)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	vals := m.Evaluate(x, y)
	os.Stdout = stdout
	w.Close()
	printed, _ := io.ReadAll(r)
	if len(printed) != 0 {
		t.Errorf("Evaluate printed %q in a notebook", printed)
	}
	if len(s.displays) != 1 {
		t.Fatalf("Evaluate made %d displays, want 1", len(s.displays))
	}
	final := s.displays[0]
	if len(s.updates) > 0 {
		final = s.updates[len(s.updates)-1]
	}
	want := regexp.MustCompile(fmt.Sprintf(`^256/256 \[={30}\] - \d+s \d+[mu]?s/sample - loss: %.4f - accuracy: %.4f$`, vals[0], vals[1]))
	if text := final.Data[display.MIMEText].(string); !want.MatchString(text) {
		t.Errorf("Evaluate's final text %q does not match %s", text, want)
	}
}

func TestFitTextLogWithRichSinkElsewhere(t *testing.T) {
	// With LogTo, verbose 2 or no rich sink, Fit writes its text log and shows nothing.
	x := dl.RandomUniform(0, 1, 64, 3)
	y := dl.FromInts(make([]int, 64))
	s := withSink(t)
	for _, opts := range [][]dl.Option{{dl.Verbose(1)}, {dl.Verbose(2)}} {
		m := compile(dl.NewSequential(layers.Dense(2, layers.Softmax)))
		var out bytes.Buffer
		m.Fit(x, y, append(opts, dl.LogTo(&out))...)
		if !strings.HasPrefix(out.String(), "Train on 64 samples\n") {
			t.Errorf("log %q, want the text log", out.String())
		}
	}
	if len(s.displays)+len(s.updates) != 0 {
		t.Errorf("Fit with LogTo showed %d displays and %d updates, want none", len(s.displays), len(s.updates))
	}
}

func TestSummaryInNotebook(t *testing.T) {
	dl.ClearSession()
	m := mlp(layers.InputShape(28, 28))
	s := withSink(t)
	m.Summary()
	if len(s.displays) != 1 {
		t.Fatalf("Summary made %d displays, want 1", len(s.displays))
	}
	b := s.displays[0]
	if got, want := b.Data[display.MIMEText], m.SummaryString(); got != want {
		t.Errorf("text/plain = %q, want the text summary %q", got, want)
	}
	html, _ := b.Data[display.MIMEHTML].(string)
	for _, want := range []string{"<table>", "<td style=\"text-align:left\">dense (Dense)</td>", "(None, 128)", ">100480<", "Total params: 101,770"} {
		if !strings.Contains(html, want) {
			t.Errorf("summary HTML lacks %q:\n%s", want, html)
		}
	}
}

// sliceDataset is a Dataset of fixed batches; unknown reports an unknown length.
type sliceDataset struct {
	x, y    *dl.Tensor
	batch   int
	unknown bool
}

func (d *sliceDataset) Cardinality() int {
	if d.unknown {
		return -2
	}
	return (d.x.Dim(0) + d.batch - 1) / d.batch
}

func (d *sliceDataset) Iterate() dl.DatasetIterator { return &sliceIter{d: d} }

type sliceIter struct {
	d   *sliceDataset
	pos int
}

func (it *sliceIter) Next() (x, y *dl.Tensor, ok bool) {
	n := it.d.x.Dim(0)
	if it.pos >= n {
		return nil, nil, false
	}
	end := min(it.pos+it.d.batch, n)
	x, y = it.d.x.Slice(it.pos, end), it.d.y.Slice(it.pos, end)
	it.pos = end
	return x, y, true
}

func (it *sliceIter) Close() {}

// TestFitDatasetLiveView: FitDataset's live view counts steps, known or not.
func TestFitDatasetLiveView(t *testing.T) {
	x := dl.RandomUniform(0, 1, 100, 3)
	y := dl.FromInts(make([]int, 100))
	for _, unknown := range []bool{false, true} {
		m := compile(dl.NewSequential(layers.Dense(2, layers.Softmax)))
		s := withSink(t)
		m.FitDataset(&sliceDataset{x: x, y: y, batch: 10, unknown: unknown}, dl.Epochs(2), dl.Verbose(1))
		if len(s.displays) != 2 {
			t.Fatalf("unknown %v: FitDataset made %d displays, want 2", unknown, len(s.displays))
		}
		final := s.displays[0]
		for _, b := range s.updates {
			if b.ID == final.ID {
				final = b
			}
		}
		header := "Train for 10 steps"
		if unknown {
			header = "Train for an unknown number of steps"
		}
		want := regexp.MustCompile(`^` + header + `\nEpoch 1/2\n10/10 \[={30}\] - \ds \d+[mu]?s/step - loss: \d\.\d{4} - accuracy: \S+\nEpoch 2/2\n10/10 \[={30}\] - \ds \d+[mu]?s/step - loss: \d\.\d{4} - accuracy: \S+$`)
		if text := final.Data[display.MIMEText].(string); !want.MatchString(text) {
			t.Errorf("unknown %v: final log:\n%s", unknown, text)
		}
	}
}

// TestLiveViewsMarkAnInterrupt: an interrupted Fit (in its second epoch) or Evaluate
// leaves its display marked as interrupted, the curves of the epoch done kept.
func TestLiveViewsMarkAnInterrupt(t *testing.T) {
	defer interrupt.Begin()
	x := dl.RandomUniform(0, 1, 64, 4)
	y := dl.FromInts(make([]int, 64))
	for _, evaluate := range []bool{false, true} {
		interrupt.Begin()
		m := dl.NewSequential(layers.Dense(2, layers.Softmax))
		stop := &stopAfter{n: 3}
		if !evaluate {
			stop.n = 2 + 3 // the first epoch's 2 steps, then 3 more
		}
		m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, stop)
		s := withSink(t)
		if evaluate {
			if vals := m.Evaluate(x, y, dl.BatchSize(8)); vals != nil {
				t.Errorf("interrupted Evaluate returned %v", vals)
			}
		} else if h := m.Fit(x, y, dl.Epochs(3), dl.BatchSize(32), dl.Verbose(1)); !errors.Is(h.Err(), interrupt.ErrInterrupted) {
			t.Errorf("Fit: Err() = %v", h.Err())
		}
		want := 1
		if !evaluate {
			want = 2 // the log and the curves of epoch 1
		}
		if len(s.displays) != want {
			t.Fatalf("evaluate %v: %d displays, want %d", evaluate, len(s.displays), want)
		}
		final := s.displays[0]
		for _, b := range s.updates {
			if b.ID == final.ID {
				final = b
			}
		}
		if text := final.Data[display.MIMEText].(string); !strings.HasSuffix(text, " - interrupted") || !strings.Contains(text, "/64 [") {
			t.Errorf("evaluate %v: final text %q is not marked as interrupted", evaluate, text)
		}
	}
}
