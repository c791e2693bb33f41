package dl

// FitMany, EvaluateMany and PredictMany: the loops of Fit, Evaluate and Predict for
// functional models of several inputs or outputs, as Keras's fit([x1, x2], [y1, y2]).
// Each step gathers the same samples from every input and target; the compiled loss is
// applied to each output and the total loss is their (weighted) sum. With several outputs
// the logs hold, as Keras 2.0's, "loss", "<output layer>_loss" for each output, then
// "<output layer>_<metric>" for each output and metric.

import "godl.dev/godl/interrupt"

// ValidationDataMany makes FitMany evaluate the model on xs, ys (one tensor per input, one
// target per output) after each epoch and report the val_ values, as Keras's
// validation_data=([x1, x2], [y1, y2]).
func ValidationDataMany(xs, ys []*Tensor) Option {
	return func(c *config) {
		c.xVals, c.yVals = append([]*Tensor(nil), xs...), append([]*Tensor(nil), ys...)
	}
}

// SetLossWeights sets the weight of each output's loss in the total loss that FitMany
// minimises and reports as "loss", as Keras's compile(loss_weights=[...]): one weight per
// output, in the order of Outputs. Without it every weight is 1.
func (m *Model) SetLossWeights(ws ...float64) {
	if len(ws) != len(m.outputs) {
		panicf("Model.SetLossWeights", nil, "model %q has %d outputs (%s), got %d loss weights",
			m.name, len(m.outputs), joinNames(m.outputNames()), len(ws))
	}
	m.lossWeights = append([]float64(nil), ws...)
}

// lossWeight returns the weight of output j's loss.
func (m *Model) lossWeight(j int) float64 {
	if m.lossWeights == nil {
		return 1
	}
	return m.lossWeights[j]
}

// MetricsNames returns the names of the values Evaluate and EvaluateMany return. For a
// model of one output: "loss", then each metric. For several outputs, as Keras 2.0:
// "loss", "<output layer>_loss" for each output, then "<output layer>_<metric>" for each
// output and each metric.
func (m *Model) MetricsNames() []string {
	if m.sub != nil || len(m.outputs) < 2 {
		return m.modelCore.MetricsNames()
	}
	names := []string{"loss"}
	outs := m.outputNames()
	for _, o := range outs {
		names = append(names, o+"_loss")
	}
	for _, o := range outs {
		for _, mt := range m.metrics {
			names = append(names, o+"_"+mt.Name())
		}
	}
	return names
}

// outputNames returns the names of the layers making the outputs; a layer making two
// outputs gives the second "<name>_1".
func (m *Model) outputNames() []string {
	seen := map[string]int{}
	names := make([]string, len(m.outputs))
	for j, t := range m.outputs {
		n := t.sym.node.layer.Name()
		if k := seen[n]; k > 0 {
			seen[n]++
			n += "_" + itoa(k)
		} else {
			seen[n] = 1
		}
		names[j] = n
	}
	return names
}

// inputNames returns the names of the model's InputLayers.
func (m *Model) inputNames() []string {
	names := make([]string, len(m.inputs))
	for i, t := range m.inputs {
		names[i] = t.sym.node.layer.Name()
	}
	return names
}

func joinNames(ns []string) string {
	s := ""
	for i, n := range ns {
		if i > 0 {
			s += ", "
		}
		s += n
	}
	return s
}

// checkMany panics unless xs holds one tensor per input of the model and ys (when not nil)
// one per output, all with the same number of samples; it names the offending input or
// output.
func (m *Model) checkMany(op string, xs, ys []*Tensor, targets bool) {
	if m.sub != nil {
		panicf(op, nil, "model %q is subclassed: it has one input and one output, use Fit, Evaluate and Predict", m.name)
	}
	if len(xs) != len(m.inputs) {
		panicf(op, nil, "model %q has %d inputs (%s), got %d input tensors", m.name, len(m.inputs), joinNames(m.inputNames()), len(xs))
	}
	if targets && len(ys) != len(m.outputs) {
		panicf(op, nil, "model %q has %d outputs (%s), got %d target tensors", m.name, len(m.outputs), joinNames(m.outputNames()), len(ys))
	}
	in, out := m.inputNames(), m.outputNames()
	n := -1
	for i, x := range xs {
		if x == nil || len(x.shape) == 0 {
			panicf(op, nil, "the tensor for input %d (%s) is nil or has no batch axis", i, in[i])
		}
		want := m.inputs[i].shape
		ok := len(x.shape) == len(want)
		for k := 1; ok && k < len(want); k++ {
			ok = want[k] == -1 || want[k] == x.shape[k]
		}
		if !ok {
			panicf(op, [][]int{want, x.shape}, "input %d (%s) of model %q expects the first shape, got the second", i, in[i], m.name)
		}
		for _, d := range want[1:] {
			if d < 0 {
				panicf(op, [][]int{want}, "input %d (%s) of model %q has an axis of unknown size; FitMany and PredictMany need every axis but the batch known", i, in[i], m.name)
			}
		}
		if n < 0 {
			n = x.shape[0]
		} else if x.shape[0] != n {
			panicf(op, [][]int{xs[0].shape, x.shape}, "input %d (%s) has %d samples, input 0 (%s) has %d: every input and target needs the same number",
				i, in[i], x.shape[0], in[0], n)
		}
	}
	if !targets {
		return
	}
	for j, y := range ys {
		if y == nil || len(y.shape) == 0 {
			panicf(op, nil, "the target for output %d (%s) is nil or has no batch axis", j, out[j])
		}
		if y.shape[0] != n {
			panicf(op, [][]int{xs[0].shape, y.shape}, "the target for output %d (%s) has %d samples, input 0 (%s) has %d: every input and target needs the same number",
				j, out[j], y.shape[0], in[0], n)
		}
	}
}

// gatherMany loads samples idx of every input and target (ys may be nil) into r.
func gatherMany(r *runner, xs, ys []*Tensor, idx []int) {
	var y0 *Tensor
	if ys != nil {
		y0 = ys[0]
	}
	r.gather(xs[0], y0, idx)
	g := r.graph
	for i, f := range g.feeds {
		f.gather(xs[i+1], nil, idx)
	}
	if ys == nil {
		return
	}
	for j, t := range g.targets {
		t.gatherTargets(ys[j+1], idx)
	}
}

// targetOf returns the gathered targets of output j.
func (g *graphRun) targetOf(r *runner, j int) *Tensor {
	if j == 0 {
		return r.yb
	}
	return g.targets[j-1].yb
}

// trainStepMany runs forward, the loss of each output, backward and the optimizer on the
// gathered batch. It returns the total loss (weighted sum, extra losses included), each
// output's loss in losses and each output's predictions in preds.
func (m *Model) trainStepMany(r *runner, losses []float64, preds []*Tensor) float64 {
	g := r.graph
	vars, grads := r.beginTrainStep(m.optimizer)
	defer r.unfuse()
	g.forward(r, true)
	dOuts := make([]*Tensor, len(g.outs))
	var total float64
	for j, s := range g.outs {
		h := g.vals[s]
		var loss float64
		var d *Tensor
		if j == 0 && r.fused != nil {
			loss = r.fusedSoftmaxLoss(m.loss, h)
			preds[j], d = r.probs, r.dlog
		} else {
			preds[j] = h
			d = lossGradient(m.loss, g.targetOf(r, j), h, &loss)
		}
		if w := float32(m.lossWeight(j)); w != 1 {
			for i := range d.f32 {
				d.f32[i] *= w
			}
		}
		losses[j], dOuts[j] = loss, d
		total += m.lossWeight(j) * loss
	}
	g.backward(r, dOuts...)
	return r.endTrainStep(m.optimizer, m.layers, total, vars, grads)
}

// manyStats accumulates the running loss, output losses and metrics of an epoch (or of an
// evaluation) for a model of several inputs or outputs.
type manyStats struct {
	m       *Model
	total   float64
	losses  []float64 // per output, times samples
	sums    [][]float64
	counts  [][]float64
	done    int
	bLosses []float64 // scratch: one batch's output losses
	preds   []*Tensor
}

func newManyStats(m *Model) *manyStats {
	s := &manyStats{m: m, losses: make([]float64, len(m.outputs)), bLosses: make([]float64, len(m.outputs)),
		preds: make([]*Tensor, len(m.outputs))}
	for range m.outputs {
		s.sums = append(s.sums, make([]float64, len(m.metrics)))
		s.counts = append(s.counts, make([]float64, len(m.metrics)))
	}
	return s
}

func (s *manyStats) reset() {
	s.total, s.done = 0, 0
	for j := range s.losses {
		s.losses[j] = 0
		for i := range s.sums[j] {
			s.sums[j][i], s.counts[j][i] = 0, 0
		}
	}
}

// add adds a batch of size samples: its total loss, and the output losses in s.bLosses and
// predictions in s.preds.
func (s *manyStats) add(r *runner, size int, total float64) {
	s.total += total * float64(size)
	for j := range s.losses {
		s.losses[j] += s.bLosses[j] * float64(size)
		for i, mt := range s.m.metrics {
			t, k := mt.Batch(r.graph.targetOf(r, j), s.preds[j])
			s.sums[j][i] += t
			s.counts[j][i] += k
		}
	}
	s.done += size
}

func (s *manyStats) step(r *runner, size int) {
	s.add(r, size, s.m.trainStepMany(r, s.bLosses, s.preds))
}

// values returns the running values in the order of MetricsNames.
func (s *manyStats) values() []float64 {
	n := float64(max(s.done, 1))
	vals := []float64{s.total / n}
	if len(s.losses) > 1 {
		for _, l := range s.losses {
			vals = append(vals, l/n)
		}
	}
	for j := range s.sums {
		for i := range s.sums[j] {
			vals = append(vals, s.sums[j][i]/max(s.counts[j][i], 1))
		}
	}
	return vals
}

func (s *manyStats) fill(logs Logs) {
	vals := s.values()
	for i, name := range s.m.MetricsNames() {
		logs[name] = vals[i]
	}
}

func (s *manyStats) validate(op string, c *config) ([]float64, bool) {
	return s.m.evaluateMany(c.xVals, c.yVals, c.batchSize, nil)
}

// manyBatches is FitMany's batch source: the same BatchSize samples from every input and
// target, in a new random order each epoch when shuffle is set.
type manyBatches struct {
	tensorBatches
	xs, ys []*Tensor
	st     *manyStats
}

func (b *manyBatches) next() (*runner, int, bool) {
	if b.start >= len(b.order) {
		return nil, 0, false
	}
	idx := b.order[b.start:min(b.start+b.batchSize, len(b.order))]
	b.start += len(idx)
	gatherMany(b.r, b.xs, b.ys, idx)
	return b.r, len(idx), true
}

func (b *manyBatches) stats() epochStats { return b.st }

// FitMany trains a model of several inputs or outputs, as Keras's model.fit([x1, x2], [y1,
// y2]): xs holds one tensor per input and ys one target per output, in the order of Inputs
// and Outputs, all with the same number of samples; each step takes the same samples from
// each. The compiled loss is applied to each output and the total "loss" is their sum
// (weighted by SetLossWeights); the compiled metrics are computed per output. With several
// outputs History has "<output layer>_loss" and "<output layer>_<metric>" for each output
// (see MetricsNames). Options are Fit's, with ValidationDataMany for validation data.
func (m *Model) FitMany(xs, ys []*Tensor, opts ...Option) *History {
	m.mustCompile("FitMany")
	m.checkMany("FitMany", xs, ys, true)
	c := newConfig(1, opts)
	switch {
	case c.xVal != nil || c.valDS != nil:
		panicf("FitMany", nil, "give FitMany's validation data with ValidationDataMany (one tensor per input and per output)")
	case c.stepsPerEpoch != 0:
		panicf("FitMany", nil, "StepsPerEpoch applies to FitDataset: an epoch of FitMany is one pass over xs")
	case c.xVals != nil:
		m.checkMany("FitMany (validation data)", c.xVals, c.yVals, true)
	case c.valSplit != 0:
		if c.valSplit <= 0 || c.valSplit >= 1 {
			panicf("FitMany", nil, "validation split %v must be between 0 and 1", c.valSplit)
		}
		n := xs[0].shape[0]
		k := int(float64(n) * (1 - c.valSplit))
		split := func(ts []*Tensor) (a, b []*Tensor) {
			for _, t := range ts {
				a, b = append(a, t.Slice(0, k)), append(b, t.Slice(k, n))
			}
			return a, b
		}
		xs, c.xVals = split(xs)
		ys, c.yVals = split(ys)
	}
	valN := -1
	if c.xVals != nil {
		valN = c.xVals[0].shape[0]
	}
	r := m.runnerFor()
	n := xs[0].shape[0]
	prog := &progressLogger{out: c.out, verbose: c.verbose, samples: n, valSamples: valN, epochs: c.epochs}
	if cap(r.idx) < n {
		r.idx = make([]int, n)
	}
	src := &manyBatches{
		tensorBatches: tensorBatches{r: r, batchSize: c.batchSize, shuffle: c.shuffle, order: r.idx[:n]},
		xs:            xs, ys: ys, st: newManyStats(m),
	}
	return m.train("FitMany", c, src, prog, prog, false)
}

// evaluateMany computes the values of MetricsNames over xs, ys in batches of bs. It
// reports stopped when interrupted.
func (m *Model) evaluateMany(xs, ys []*Tensor, bs int, bar *progbar) (vals []float64, stopped bool) {
	r := m.runnerFor()
	g := r.graph
	extra := addExtraLosses(m.Layers(), false)
	n := xs[0].shape[0]
	s := newManyStats(m)
	idx := make([]int, 0, bs)
	for start := 0; start < n; start += bs {
		if interrupt.Requested() {
			return nil, true
		}
		idx = appendRange(idx[:0], start, min(start+bs, n))
		gatherMany(r, xs, ys, idx)
		g.forward(r, false)
		total := extra
		for j, slot := range g.outs {
			pred := g.vals[slot]
			s.preds[j] = pred
			if j == 0 {
				s.bLosses[j] = m.batchLoss(r, pred)
			} else {
				var l *Tensor
				NoGrad(func() { InLayer(m.loss.Name(), func() { l = m.loss.Compute(g.targetOf(r, j), pred) }) })
				s.bLosses[j] = l.Item()
			}
			total += m.lossWeight(j) * s.bLosses[j]
		}
		s.add(r, len(idx), total)
		if bar != nil && bar.due(s.done) {
			bar.update(s.done, namedValues(m.MetricsNames(), s.values()))
		}
	}
	return s.values(), false
}

func namedValues(names []string, vals []float64) []logValue {
	logs := make([]logValue, len(names))
	for i, name := range names {
		logs[i] = logValue{name, vals[i]}
	}
	return logs
}

// EvaluateMany returns the loss and metrics of a model of several inputs or outputs on xs,
// ys (as FitMany takes them), in the order of MetricsNames, as Keras's
// model.evaluate([x1, x2], [y1, y2]). It returns nil if the user interrupts it. Options:
// BatchSize (default 32), Verbose (default 1), LogTo.
func (m *Model) EvaluateMany(xs, ys []*Tensor, opts ...Option) []float64 {
	m.mustCompile("EvaluateMany")
	m.checkMany("EvaluateMany", xs, ys, true)
	c := newConfig(1, opts)
	n := xs[0].shape[0]
	bar := newProgbar(c.out, n, c.verbose)
	vals, stopped := m.evaluateMany(xs, ys, c.batchSize, bar)
	if stopped {
		bar.abort()
		return nil
	}
	bar.finish(n, namedValues(m.MetricsNames(), vals))
	return vals
}

// PredictMany returns the outputs of a model of several inputs or outputs for xs (one
// tensor per input, in the order of Inputs), one tensor per output in the order of
// Outputs, computed in batches (Options: BatchSize, default 32), as Keras's
// model.predict([x1, x2]). It returns nil if the user interrupts it.
func (m *Model) PredictMany(xs []*Tensor, opts ...Option) []*Tensor {
	m.checkMany("PredictMany", xs, nil, false)
	c := newConfig(0, opts)
	r := m.runnerFor()
	g := r.graph
	n := xs[0].shape[0]
	outs := make([]*Tensor, len(m.outputs))
	rows := make([]int, len(m.outputs))
	for j, t := range m.outputs {
		outs[j] = Zeros(append([]int{n}, t.shape[1:]...)...)
		rows[j] = outs[j].Size() / max(n, 1)
	}
	idx := make([]int, 0, c.batchSize)
	for start := 0; start < n; start += c.batchSize {
		if interrupt.Requested() {
			return nil
		}
		idx = appendRange(idx[:0], start, min(start+c.batchSize, n))
		gatherMany(r, xs, nil, idx)
		g.forward(r, false)
		for j, slot := range g.outs {
			copy(outs[j].f32[start*rows[j]:], g.vals[slot].floats("PredictMany"))
		}
	}
	return outs
}
