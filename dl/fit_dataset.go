package dl

// Training and inference over a data set of batches (a dl/data pipeline), as Keras's
// model.fit(dataset), model.evaluate(dataset) and model.predict(dataset). The batches come
// from the pipeline; everything else (the runner, the progress bar, History) is Fit's.

import (
	"fmt"
	"io"
	"os"

	"godl.dev/godl/interrupt"
)

// Dataset is a source of batches for FitDataset, EvaluateDataset and PredictDataset:
// dl/data's *Dataset implements it, and so may a type written in a cell.
type Dataset interface {
	// Iterate starts a new pass over the batches.
	Iterate() DatasetIterator
	// Cardinality returns the number of batches of one pass, or a negative number when it
	// is infinite (-1) or not known (-2).
	Cardinality() int
}

// DatasetIterator is one pass over a Dataset.
type DatasetIterator interface {
	// Next returns the next batch: inputs x (batch axis first) and their integer labels y
	// (nil for a data set without labels); ok is false at the end of the pass.
	Next() (x, y *Tensor, ok bool)
	// Close ends the pass, releasing what it holds; it is safe to call more than once.
	Close()
}

// FitDataset trains the model on the batches of ds, one pass per epoch, as Keras's
// model.fit(dataset) does, and returns the History of the epochs run. The pipeline decides
// batching and shuffling, so the BatchSize and Shuffle options do not apply; Epochs,
// InitialEpoch, Verbose, LogTo, Callbacks and ValidationData (evaluated in batches of
// BatchSize), ValidationDataset and ValidationSteps do. Callbacks are called as in Fit; the
// progress bar counts steps, as Keras's does for a data set. An epoch is one pass over ds,
// or with StepsPerEpoch that many batches, read on across epochs (Keras's steps_per_epoch):
// an infinite data set (Repeat without a count) needs StepsPerEpoch, or a Take(steps).
// Interruption works as in Fit.
func (m *modelCore) FitDataset(ds Dataset, opts ...Option) *History {
	m.mustCompile("FitDataset")
	c := newConfig(1, opts)
	if c.valSplit != 0 {
		panicf("FitDataset", nil, "ValidationSplit cannot split a data set; pass ValidationData, or split the pipeline with Take and Skip")
	}
	var steps int
	switch {
	case c.stepsPerEpoch < 0:
		panicf("FitDataset", nil, "StepsPerEpoch(%d): the number of batches per epoch must be positive", c.stepsPerEpoch)
	case c.stepsPerEpoch > 0:
		if ds == nil {
			panicf("FitDataset", nil, "the data set is nil")
		}
		steps = c.stepsPerEpoch
	default:
		steps = checkDataset("FitDataset", ds)
	}
	valN, valSteps := c.validation("FitDataset")
	prog := &progressLogger{out: c.out, verbose: c.verbose, samples: steps, valSamples: valN, valSteps: valSteps, epochs: c.epochs, steps: true}
	src := &datasetBatches{m: m.self, ds: ds, perEpoch: c.stepsPerEpoch, out: c.out}
	defer src.close()
	return m.train("FitDataset", c, src, prog, prog, true)
}

// datasetBatches is FitDataset's batch source: one pass of a pipeline per epoch, or, with
// perEpoch > 0, perEpoch batches per epoch read on across epochs from one pass.
type datasetBatches struct {
	m        stepper
	ds       Dataset
	it       DatasetIterator
	idx      []int
	perEpoch int
	step     int       // batches read in this epoch
	out      io.Writer // where to say that the data ran out (nil: standard output)
	ranOut   bool
	epoch    int
}

func (b *datasetBatches) begin() {
	b.step = 0
	b.epoch++
	if b.it == nil && !b.ranOut {
		b.it = b.ds.Iterate()
	}
}

func (b *datasetBatches) next() (*runner, int, bool) {
	if b.it == nil || (b.perEpoch > 0 && b.step >= b.perEpoch) {
		return nil, 0, false
	}
	x, y, ok := b.it.Next()
	if !ok {
		if b.perEpoch > 0 {
			// As Keras: the input ran out before Epochs × StepsPerEpoch batches.
			b.ranOut = true
			b.m.SetStopTraining(true)
			w := b.out
			if w == nil {
				w = os.Stdout
			}
			fmt.Fprintf(w, "dl: the data set ran out of batches after %d of the %d steps of epoch %d; training stops (give it Repeat() to read it more than once)\n",
				b.step, b.perEpoch, b.epoch)
			b.close()
		}
		return nil, 0, false
	}
	b.step++
	if y == nil {
		b.end()
		panicf("FitDataset", nil, "the data set gives no labels: build it with labels, as data.FromTensorSlices(x, y)")
	}
	checkXY("FitDataset", x, y)
	r := b.m.prepare("FitDataset", x)
	b.idx = countTo(b.idx, x.shape[0])
	r.gather(x, y, b.idx)
	return r, len(b.idx), true
}

// end ends an epoch: a pass of the data set, unless epochs are StepsPerEpoch long.
func (b *datasetBatches) end() {
	if b.perEpoch <= 0 {
		b.close()
	}
}

// close ends the current pass, if any.
func (b *datasetBatches) close() {
	if b.it != nil {
		b.it.Close()
		b.it = nil
	}
}

// EvaluateDataset returns the loss and the metrics of the model over one pass of ds, in
// the order of MetricsNames, as Keras's model.evaluate(dataset) does. It returns nil if
// the user interrupts it. Options: Verbose (default 1), LogTo.
func (m *modelCore) EvaluateDataset(ds Dataset, opts ...Option) []float64 {
	m.mustCompile("EvaluateDataset")
	c := newConfig(1, opts)
	steps := checkDataset("EvaluateDataset", ds)
	bar := newProgbar(c.out, steps, c.verbose)
	bar.unit = "step"
	vals, step, stopped := m.evaluateDataset("EvaluateDataset", ds, 0, bar)
	if stopped {
		bar.abort()
		return nil
	}
	var logs []logValue
	for i, name := range m.MetricsNames() {
		logs = append(logs, logValue{name, vals[i]})
	}
	bar.finish(step, logs)
	return vals
}

// evaluateDataset computes the mean loss and metrics over one pass of ds, or its first
// maxSteps batches when maxSteps > 0, updating bar (which may be nil). It returns the
// number of batches read, and stopped when interrupted.
func (m *modelCore) evaluateDataset(op string, ds Dataset, maxSteps int, bar *progbar) (vals []float64, step int, stopped bool) {
	var extra float64
	s := newOneOutputStats(m)
	var logs []logValue
	var idx []int
	it := ds.Iterate()
	defer it.Close()
	for maxSteps <= 0 || step < maxSteps {
		if interrupt.Requested() {
			return nil, step, true
		}
		x, y, ok := it.Next()
		if !ok {
			break
		}
		if y == nil {
			panicf(op, nil, "the data set gives no labels: build it with labels, as data.FromTensorSlices(x, y)")
		}
		checkXY(op, x, y)
		r := m.self.prepare(op, x)
		if step == 0 {
			extra = addExtraLosses(m.self.Layers(), false)
		}
		idx = countTo(idx, x.shape[0])
		r.gather(x, y, idx)
		pred := m.self.inferStep(r)
		s.add(r, pred, m.batchLoss(r, pred)+extra, len(idx))
		step++
		if bar != nil && bar.due(step) {
			logs = s.logs(logs)
			bar.update(step, logs)
		}
	}
	if s.done == 0 {
		panicf(op, nil, "the data set gave no batches")
	}
	return s.values(), step, false
}

// PredictDataset returns the model's outputs for the inputs of one pass of ds, in order
// (labels, if any, are ignored), as Keras's model.predict(dataset). It returns nil if the
// user interrupts it.
func (m *modelCore) PredictDataset(ds Dataset, opts ...Option) *Tensor {
	checkDataset("PredictDataset", ds)
	_ = newConfig(0, opts)
	var out []float32
	var rowShape []int
	var idx []int
	n := 0
	it := ds.Iterate()
	defer it.Close()
	for {
		if interrupt.Requested() {
			return nil
		}
		x, _, ok := it.Next()
		if !ok {
			break
		}
		if len(x.shape) == 0 {
			panicf("PredictDataset", [][]int{x.shape}, "inputs need a batch axis")
		}
		r := m.self.prepare("PredictDataset", x)
		idx = countTo(idx, x.shape[0])
		r.gather(x, nil, idx)
		pred := m.self.inferStep(r)
		out = append(out, pred.floats("PredictDataset")...)
		rowShape = pred.shape[1:]
		n += len(idx)
	}
	if n == 0 {
		panicf("PredictDataset", nil, "the data set gave no batches")
	}
	return FromFloat32(out, append([]int{n}, rowShape...)...)
}

// checkDataset returns ds's number of batches per pass (0 when unknown), and panics for a
// nil or infinite data set.
func checkDataset(op string, ds Dataset) int {
	if ds == nil {
		panicf(op, nil, "the data set is nil")
	}
	n := ds.Cardinality()
	if n == -1 {
		panicf(op, nil, "the data set is infinite (Repeat without a count): bound each epoch with Take(steps)")
	}
	return max(n, 0)
}

// countTo returns idx holding 0..n-1.
func countTo(idx []int, n int) []int { return appendRange(idx[:0], 0, n) }

// appendRange appends lo..hi-1 to dst: the sample indices of a batch taken in order.
func appendRange(dst []int, lo, hi int) []int {
	for i := lo; i < hi; i++ {
		dst = append(dst, i)
	}
	return dst
}
