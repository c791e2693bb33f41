package dl

// Training and inference over a data set of batches (a dl/data pipeline), as Keras's
// model.fit(dataset), model.evaluate(dataset) and model.predict(dataset). The batches come
// from the pipeline; everything else (the runner, the progress bar, History) is Fit's.

import "godl.dev/godl/interrupt"

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
// BatchSize) do. Callbacks are called as in Fit; the progress bar counts steps, as
// Keras's does for a data set. An infinite data set (Repeat without a count) needs a
// Take(steps) to bound each epoch. Interruption works as in Fit.
func (m *modelCore) FitDataset(ds Dataset, opts ...Option) *History {
	m.mustCompile("FitDataset")
	c := newConfig(1, opts)
	if c.valSplit != 0 {
		panicf("FitDataset", nil, "ValidationSplit cannot split a data set; pass ValidationData, or split the pipeline with Take and Skip")
	}
	steps := checkDataset("FitDataset", ds)
	valN := -1
	if c.xVal != nil {
		checkXY("FitDataset (validation data)", c.xVal, c.yVal)
		valN = c.xVal.shape[0]
	}
	prog := &progressLogger{out: c.out, verbose: c.verbose, samples: steps, valSamples: valN, epochs: c.epochs, steps: true}
	return m.train("FitDataset", c, &datasetBatches{m: m.self, ds: ds}, prog, prog, true)
}

// datasetBatches is FitDataset's batch source: one pass of a pipeline per epoch.
type datasetBatches struct {
	m   stepper
	ds  Dataset
	it  DatasetIterator
	idx []int
}

func (b *datasetBatches) begin() { b.it = b.ds.Iterate() }

func (b *datasetBatches) next() (*runner, int, bool) {
	x, y, ok := b.it.Next()
	if !ok {
		return nil, 0, false
	}
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

func (b *datasetBatches) end() {
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
	var lossSum, extra float64
	sums := make([]float64, len(m.metrics))
	counts := make([]float64, len(m.metrics))
	var logs []logValue
	var idx []int
	n, step := 0, 0
	it := ds.Iterate()
	defer it.Close()
	for {
		if interrupt.Requested() {
			bar.abort()
			return nil
		}
		x, y, ok := it.Next()
		if !ok {
			break
		}
		if y == nil {
			panicf("EvaluateDataset", nil, "the data set gives no labels: build it with labels, as data.FromTensorSlices(x, y)")
		}
		checkXY("EvaluateDataset", x, y)
		r := m.self.prepare("EvaluateDataset", x)
		if step == 0 {
			extra = addExtraLosses(m.self.Layers(), false)
		}
		idx = countTo(idx, x.shape[0])
		r.gather(x, y, idx)
		pred := m.self.inferStep(r)
		lossSum += (m.batchLoss(r, pred) + extra) * float64(len(idx))
		for i, mt := range m.metrics {
			t, k := mt.Batch(r.yb, pred)
			sums[i] += t
			counts[i] += k
		}
		n += len(idx)
		step++
		if bar.due(step) {
			logs = m.epochLogs(logs[:0], lossSum/float64(n), sums, counts)
			bar.update(step, logs)
		}
	}
	vals := []float64{lossSum / float64(max(n, 1))}
	for i := range m.metrics {
		vals = append(vals, sums[i]/max(counts[i], 1))
	}
	logs = logs[:0]
	for i, name := range m.MetricsNames() {
		logs = append(logs, logValue{name, vals[i]})
	}
	bar.finish(step, logs)
	return vals
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
func countTo(idx []int, n int) []int {
	idx = idx[:0]
	for i := 0; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}
