package data_test

import (
	"bytes"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/data"
)

// StepsPerEpoch reads a repeated data set on across epochs: 3 epochs of 5 steps over batches
// of 16 from 100 samples (7 batches a pass) train exactly as FitDataset over the same 15
// batches taken as one epoch each of 5.
func TestStepsPerEpochReadsOnAcrossEpochs(t *testing.T) {
	x, y := samples(100)
	xs := x.DivScalar(255)
	batches := func() *data.Dataset { return data.FromTensorSlices(xs, y).Batch(16, false).Repeat(-1) }

	a := model()
	var log bytes.Buffer
	ha := a.FitDataset(batches(), dl.Epochs(3), dl.StepsPerEpoch(5), dl.Verbose(2), dl.LogTo(&log))
	if got := ha.Get("loss"); len(got) != 3 {
		t.Fatalf("%d epochs recorded, want 3", len(got))
	}
	if !strings.HasPrefix(log.String(), "Train for 5 steps\n") {
		t.Errorf("log starts %q", strings.SplitN(log.String(), "\n", 2)[0])
	}

	// The same 15 batches, one epoch of them at a time, without StepsPerEpoch.
	b := model()
	all := batches().Take(15)
	it := all.Iterate()
	var bx, by []*dl.Tensor
	for {
		x, y, ok := it.Next()
		if !ok {
			break
		}
		bx, by = append(bx, x), append(by, y)
	}
	it.Close()
	for e := range 3 {
		b.FitDataset(batchList{bx[e*5 : (e+1)*5], by[e*5 : (e+1)*5]}, dl.Epochs(1), dl.Verbose(0))
	}
	wa, wb := a.GetWeights(), b.GetWeights()
	for i := range wa {
		da, db := wa[i].Data(), wb[i].Data()
		for j := range da {
			if da[j] != db[j] {
				t.Fatalf("weight %d differs at %d: the epochs did not read on", i, j)
			}
		}
	}
}

// A data set that runs out before Epochs × StepsPerEpoch stops training with a message,
// recording only the epochs that had batches.
func TestStepsPerEpochRunsOut(t *testing.T) {
	x, y := samples(100)
	ds := data.FromTensorSlices(x.DivScalar(255), y).Batch(16, false) // 7 batches
	var log bytes.Buffer
	h := model().FitDataset(ds, dl.Epochs(5), dl.StepsPerEpoch(3), dl.Verbose(2), dl.LogTo(&log))
	if got := len(h.Get("loss")); got != 3 { // 3 + 3 + 1 batches
		t.Errorf("%d epochs recorded, want 3", got)
	}
	if !strings.Contains(log.String(), "ran out of batches after 1 of the 3 steps of epoch 3") {
		t.Errorf("no ran-out message in %q", log.String())
	}
}

// ValidationDataset with ValidationSteps validates on the first steps of a new pass each
// epoch, giving the values EvaluateDataset gives on those batches.
func TestValidationDataset(t *testing.T) {
	x, y := samples(100)
	xs := x.DivScalar(255)
	val := data.FromTensorSlices(xs, y).Batch(10, false).Repeat(-1)
	m := model()
	var log bytes.Buffer
	h := m.Fit(xs, y, dl.Epochs(2), dl.Verbose(2), dl.LogTo(&log), dl.ValidationDataset(val), dl.ValidationSteps(4))
	if !strings.HasPrefix(log.String(), "Train on 100 samples, validate for 4 steps\n") {
		t.Errorf("log starts %q", strings.SplitN(log.String(), "\n", 2)[0])
	}
	want := m.EvaluateDataset(data.FromTensorSlices(xs.Slice(0, 40), y.Slice(0, 40)).Batch(10, false), dl.Verbose(0))
	if got := h.Get("val_loss"); len(got) != 2 || got[1] != want[0] {
		t.Errorf("val_loss %v, want the last to be %v", got, want[0])
	}
	if got := h.Get("val_accuracy"); got[1] != want[1] {
		t.Errorf("val_accuracy %v, want the last to be %v", got, want[1])
	}
	err := dl.Maybe(func() { m.Fit(xs, y, dl.Verbose(0), dl.ValidationDataset(val)) })
	if err == nil || !strings.Contains(err.Error(), "give ValidationSteps") {
		t.Errorf("an infinite validation set without ValidationSteps: %v", err)
	}
	err = dl.Maybe(func() { m.Fit(xs, y, dl.Verbose(0), dl.StepsPerEpoch(2)) })
	if err == nil || !strings.Contains(err.Error(), "StepsPerEpoch applies to FitDataset") {
		t.Errorf("StepsPerEpoch in Fit: %v", err)
	}
}

// batchList is a dl.Dataset over given batches.
type batchList struct{ x, y []*dl.Tensor }

func (b batchList) Cardinality() int { return len(b.x) }

func (b batchList) Iterate() dl.DatasetIterator { return &batchIter{b: b} }

type batchIter struct {
	b batchList
	i int
}

func (it *batchIter) Next() (x, y *dl.Tensor, ok bool) {
	if it.i >= len(it.b.x) {
		return nil, nil, false
	}
	it.i++
	return it.b.x[it.i-1], it.b.y[it.i-1], true
}

func (it *batchIter) Close() {}
