package dl

// Fit, Evaluate and Predict: the training and inference loops of a model.
//
// Who owns what (after Keras's epoch_iterator separation of concerns):
//
//	Fit        epochs, shuffling, batching, interruption, logs, History, validation
//	runner     batch buffers (uint8 → float32 conversion per batch), the layer schedule,
//	           the fused softmax + cross-entropy, gradients handed to the optimizer
//	Kernel     each built-in layer's forward and backward on its own buffers
//	Optimizer  the update of the variables from their gradients
//	progbar    the Keras-style log lines

import (
	"io"
	"os"
	"time"

	"godl.dev/godl/interrupt"
)

// Option configures Fit, Evaluate and Predict, as their Keras keyword arguments do.
type Option func(*config)

type config struct {
	epochs       int
	batchSize    int
	verbose      int
	verboseSet   bool
	shuffle      bool
	xVal, yVal   *Tensor
	xVals, yVals []*Tensor // ValidationDataMany
	valSplit     float64
	out          io.Writer
	initialEpoch int
	callbacks    []Callback

	stepsPerEpoch int     // FitDataset: batches per epoch, 0 for one pass
	valDS         Dataset // validation batches, instead of xVal, yVal
	valSteps      int     // batches per validation of valDS, 0 for one pass
}

// Epochs sets the number of passes over the training data (default 1).
func Epochs(n int) Option { return func(c *config) { c.epochs = n } }

// BatchSize sets the number of samples per step (default 32).
func BatchSize(n int) Option { return func(c *config) { c.batchSize = n } }

// Verbose sets the logging: 0 silent, 1 a progress bar per epoch, 2 one line per epoch.
// The default is 1 for Fit and Evaluate and 0 for Predict, as in Keras.
func Verbose(level int) Option {
	return func(c *config) { c.verbose, c.verboseSet = level, true }
}

// Shuffle sets whether Fit reshuffles the training samples before each epoch (default
// true).
func Shuffle(on bool) Option { return func(c *config) { c.shuffle = on } }

// ValidationData makes Fit evaluate the model on x, y after each epoch and report val_loss
// and the val_ metrics.
func ValidationData(x, y *Tensor) Option { return func(c *config) { c.xVal, c.yVal = x, y } }

// ValidationDataset evaluates the model on the batches of ds at the end of every epoch, as
// Keras's validation_data=dataset: each validation starts a new pass over ds and reads it to
// its end, or ValidationSteps batches of it.
func ValidationDataset(ds Dataset) Option { return func(c *config) { c.valDS = ds } }

// ValidationSteps bounds each validation over a ValidationDataset to n batches, as Keras's
// validation_steps; an infinite (repeated) validation data set needs it.
func ValidationSteps(n int) Option { return func(c *config) { c.valSteps = n } }

// StepsPerEpoch makes each epoch of FitDataset n batches long, as Keras's steps_per_epoch:
// the epochs then read the data set on from where the previous one stopped, so an infinite
// data set (Repeat without a count) trains for Epochs × n steps. If the data set runs out
// first, training stops after the last batch, with a message.
func StepsPerEpoch(n int) Option { return func(c *config) { c.stepsPerEpoch = n } }

// ValidationSplit makes Fit hold out the last fraction (0 < f < 1) of the samples, taken
// before shuffling, and evaluate the model on them after each epoch, as Keras's
// validation_split. ValidationData takes precedence.
func ValidationSplit(f float64) Option { return func(c *config) { c.valSplit = f } }

// LogTo sends the log lines to w instead of standard output.
func LogTo(w io.Writer) Option { return func(c *config) { c.out = w } }

// InitialEpoch starts the epoch count at n (0-based), for resuming training: Fit runs
// epochs n+1..Epochs.
func InitialEpoch(n int) Option { return func(c *config) { c.initialEpoch = n } }

func newConfig(defaultVerbose int, opts []Option) *config {
	c := &config{epochs: 1, batchSize: 32, verbose: defaultVerbose, shuffle: true, out: os.Stdout}
	for _, o := range opts {
		o(c)
	}
	if c.batchSize < 1 {
		panicf("Fit", nil, "batch size must be positive, got %d", c.batchSize)
	}
	return c
}

func (c *modelCore) mustCompile(op string) {
	if c.optimizer == nil || c.loss == nil {
		panicf(op, nil, "model %q must be compiled first: call Compile(optimizer, loss, metrics...)", c.name)
	}
}

func checkXY(op string, x, y *Tensor) {
	if x == nil || y == nil {
		panicf(op, nil, "inputs and targets must not be nil")
	}
	if len(x.shape) == 0 || len(y.shape) == 0 || y.shape[0] != x.shape[0] {
		panicf(op, [][]int{x.shape, y.shape}, "needs one target per input sample (the first axes must match)")
	}
}

// Fit trains the model on inputs x (batch axis first) and targets y, as Keras's model.fit
// does, and returns the History of the epochs run. y holds one target per sample: integer
// class labels [N] for the sparse cross-entropies, one-hot rows [N, classes] for
// categorical_crossentropy, values [N] or [N, outputs] for mse. Each step takes BatchSize
// samples (the last one may be smaller), in a new random order each epoch.
//
// Callbacks given with Callbacks or WithCallback are called in order, then the History and
// the progress log, which are callbacks too. A callback that sets StopTraining ends Fit after
// the current step.
//
// Fit stops between two steps when the user interrupts (interrupt.Requested): the weights
// keep the updates made so far and the History, holding the completed epochs, reports
// interrupt.ErrInterrupted from Err.
func (m *modelCore) Fit(x, y *Tensor, opts ...Option) *History {
	m.mustCompile("Fit")
	checkXY("Fit", x, y)
	c := newConfig(1, opts)
	if c.xVal == nil && c.valDS == nil && c.valSplit != 0 {
		if c.valSplit <= 0 || c.valSplit >= 1 {
			panicf("Fit", nil, "validation split %v must be between 0 and 1", c.valSplit)
		}
		k := int(float64(x.shape[0]) * (1 - c.valSplit))
		x, y, c.xVal, c.yVal = x.Slice(0, k), y.Slice(0, k), x.Slice(k, x.shape[0]), y.Slice(k, y.shape[0])
	}
	if c.stepsPerEpoch != 0 {
		panicf("Fit", nil, "StepsPerEpoch applies to FitDataset: an epoch of Fit is one pass over x (make a data set with data.FromTensorSlices to bound epochs by steps)")
	}
	valN, valSteps := c.validation("Fit")
	r := m.self.prepare("Fit", x)
	n := x.shape[0]
	prog := &progressLogger{out: c.out, verbose: c.verbose, samples: n, valSamples: valN, valSteps: valSteps, epochs: c.epochs}
	if cap(r.idx) < n {
		r.idx = make([]int, n)
	}
	src := &tensorBatches{x: x, y: y, r: r, batchSize: c.batchSize, shuffle: c.shuffle, order: r.idx[:n], prefetch: true}
	return m.train("Fit", c, src, prog, prog, false)
}

// validation checks the validation options and returns what the progress log says of them:
// the number of validation samples (-1 without validation), or with steps the number of
// validation batches (0 when not known).
func (c *config) validation(op string) (n int, steps bool) {
	switch {
	case c.xVals != nil:
		panicf(op, nil, "ValidationDataMany is for FitMany; give one x and y with ValidationData")
	case c.xVal != nil && c.valDS != nil:
		panicf(op, nil, "give ValidationData or ValidationDataset, not both")
	case c.valSteps < 0:
		panicf(op, nil, "ValidationSteps(%d): the number of validation batches must be positive", c.valSteps)
	case c.xVal != nil:
		checkXY(op+" (validation data)", c.xVal, c.yVal)
		return c.xVal.shape[0], false
	case c.valDS != nil:
		if c.valSteps > 0 {
			return c.valSteps, true
		}
		if c.valDS.Cardinality() == -1 {
			panicf(op, nil, "the validation data set is infinite (Repeat without a count): give ValidationSteps")
		}
		return max(c.valDS.Cardinality(), 0), true
	}
	return -1, false
}

// batchSource gives train the batches of one epoch, loaded into a runner: shuffled slices
// of tensors for Fit, a pipeline's batches for FitDataset.
type batchSource interface {
	// begin starts an epoch.
	begin()
	// next loads the next batch and returns the runner holding it and its size; ok is
	// false at the end of the epoch.
	next() (r *runner, size int, ok bool)
	// end ends the epoch (also when training stops early); it may be called twice.
	end()
}

// tensorBatches is Fit's batch source: BatchSize samples at a time from x and y, in a new
// random order each epoch when shuffle is set. With several cores, each batch is converted
// while the step before it runs (batchPrefetcher), in the blocks of steps that the
// governor gives the second core (coreGovernor).
type tensorBatches struct {
	x, y      *Tensor
	r         *runner
	batchSize int
	shuffle   bool
	order     []int
	start     int
	prefetch  bool             // convert batches ahead on another core where that can pay
	pf        *batchPrefetcher // the prefetcher of the current epoch, or nil
	gov       *coreGovernor    // with prefetch on several cores: when to use the second
}

func (b *tensorBatches) begin() {
	if b.shuffle {
		PermutationTo(b.order, Rand())
	} else {
		for i := range b.order {
			b.order[i] = i
		}
	}
	b.start = 0
	if b.prefetch {
		b.pf = newBatchPrefetcher(b.r, b.batchSize)
		if b.gov == nil {
			b.gov = newCoreGovernor()
		}
	}
}

func (b *tensorBatches) next() (*runner, int, bool) {
	if b.start >= len(b.order) {
		return nil, 0, false
	}
	idx := b.order[b.start:min(b.start+b.batchSize, len(b.order))]
	b.start += len(idx)
	two := b.gov == nil || b.gov.step()
	if b.pf == nil || !b.pf.pending || !b.pf.take() {
		b.r.gather(b.x, b.y, idx)
	}
	if b.pf != nil && two && b.start < len(b.order) {
		b.pf.post(b.x, b.y, b.order[b.start:min(b.start+b.batchSize, len(b.order))])
	}
	return b.r, len(idx), true
}

func (b *tensorBatches) end() {
	if b.gov != nil {
		b.gov.pause()
	}
	if b.pf != nil {
		pf := b.pf
		b.pf = nil
		pf.stop()
	}
}

// train runs the epochs of Fit and FitDataset over the batches of src: the callbacks (the
// user's, then History, then the progress log progCb, whose state is prog), the training
// steps, the running metrics, validation at each epoch's end, and interruption. With
// countSteps the progress log counts steps instead of samples, as Keras's does for a data
// set, and an epoch without batches is an error.
func (m *modelCore) train(op string, c *config, src batchSource, prog *progressLogger, progCb Callback, countSteps bool) *History {
	defer src.end() // also when a step or a callback panics: no helper or pass is left running
	h := newHistory()
	cbs := append(append([]Callback(nil), c.callbacks...), h)
	if c.verbose > 0 {
		cbs = append(cbs, progCb)
	}
	m.stop = false
	for _, cb := range cbs {
		cb.SetModel(m.self)
	}
	for _, cb := range cbs {
		cb.OnTrainBegin(Logs{})
	}
	var lastLogs Logs
	defer func() {
		for _, cb := range cbs {
			cb.OnTrainEnd(lastLogs)
		}
	}()
	var stats epochStats = newOneOutputStats(m)
	if s, ok := src.(interface{ stats() epochStats }); ok {
		stats = s.stats()
	}
	batchLogs := Logs{}
	for epoch := c.initialEpoch; epoch < c.epochs && !m.stop; epoch++ {
		for _, cb := range cbs {
			cb.OnEpochBegin(epoch, Logs{})
		}
		stats.reset()
		src.begin()
		done, step := 0, 0
		for !m.stop {
			if interrupt.Requested() {
				src.end()
				prog.abort()
				h.err = interrupt.ErrInterrupted
				return h
			}
			r, size, ok := src.next()
			if !ok {
				break
			}
			for _, cb := range cbs {
				cb.OnBatchBegin(step, batchLogs)
			}
			stats.step(r, size)
			done += size
			stats.fill(batchLogs)
			if countSteps {
				prog.seen = step + 1
			} else {
				prog.seen = done
			}
			for _, cb := range cbs {
				cb.OnBatchEnd(step, batchLogs)
			}
			step++
		}
		src.end()
		if done == 0 && m.stop { // the data set ran out (StepsPerEpoch): no epoch to report
			break
		}
		if countSteps {
			if done == 0 {
				panicf(op, nil, "the data set gave no batches in epoch %d", epoch+1)
			}
			if prog.samples <= 0 && prog.bar != nil { // unknown length: the bar ends at the steps seen
				prog.samples, prog.bar.target = step, step
			}
		}
		logs := Logs{}
		stats.fill(logs)
		if (c.xVal != nil || c.valDS != nil || c.xVals != nil) && !m.stop {
			vals, stopped := stats.validate(op, c)
			if stopped {
				prog.abort()
				h.err = interrupt.ErrInterrupted
				return h
			}
			for i, name := range m.self.MetricsNames() {
				logs["val_"+name] = vals[i]
			}
		}
		for _, cb := range cbs {
			cb.OnEpochEnd(epoch, logs)
		}
		lastLogs = logs
	}
	return h
}

// epochStats runs train's steps and keeps an epoch's running loss and metrics: those of
// the model's one output (oneOutputStats), or per output for FitMany (manyStats).
type epochStats interface {
	// reset starts an epoch.
	reset()
	// step trains on the batch of size samples loaded in r and adds its loss and metrics.
	step(r *runner, size int)
	// fill sets the running values in logs, under the names of MetricsNames.
	fill(logs Logs)
	// validate evaluates the model on c's validation data and returns the values in the
	// order of MetricsNames; stopped when interrupted.
	validate(op string, c *config) (vals []float64, stopped bool)
}

// oneOutputStats is the epochStats of Fit and FitDataset, and the running totals of
// Evaluate and EvaluateDataset.
type oneOutputStats struct {
	m            *modelCore
	lossSum      float64
	done         int
	sums, counts []float64
}

func newOneOutputStats(m *modelCore) *oneOutputStats {
	return &oneOutputStats{m: m, sums: make([]float64, len(m.metrics)), counts: make([]float64, len(m.metrics))}
}

func (s *oneOutputStats) reset() {
	s.lossSum, s.done = 0, 0
	for i := range s.sums {
		s.sums[i], s.counts[i] = 0, 0
	}
}

func (s *oneOutputStats) step(r *runner, size int) {
	loss, pred := s.m.self.trainStep(r)
	s.add(r, pred, loss, size)
}

// add counts a batch of size samples, gathered in r, with predictions pred and mean loss.
func (s *oneOutputStats) add(r *runner, pred *Tensor, loss float64, size int) {
	s.lossSum += loss * float64(size)
	for i, mt := range s.m.metrics {
		t, k := mt.Batch(r.yb, pred)
		s.sums[i] += t
		s.counts[i] += k
	}
	s.done += size
}

// values returns the mean loss and metrics so far, in the order of MetricsNames.
func (s *oneOutputStats) values() []float64 {
	vals := []float64{s.lossSum / float64(max(s.done, 1))}
	for i := range s.m.metrics {
		vals = append(vals, s.sums[i]/max(s.counts[i], 1))
	}
	return vals
}

// logs returns dst holding the running values for a progress bar.
func (s *oneOutputStats) logs(dst []logValue) []logValue {
	return s.m.epochLogs(dst[:0], s.lossSum/float64(max(s.done, 1)), s.sums, s.counts)
}

func (s *oneOutputStats) fill(logs Logs) {
	s.m.fillLogs(logs, s.lossSum/float64(max(s.done, 1)), s.sums, s.counts)
}

func (s *oneOutputStats) validate(op string, c *config) ([]float64, bool) {
	if c.valDS != nil {
		vals, _, stopped := s.m.evaluateDataset(op+" (validation)", c.valDS, c.valSteps, nil)
		return vals, stopped
	}
	return s.m.evaluate(c.xVal, c.yVal, c.batchSize, nil)
}

// fillLogs sets the running loss and metric values in logs.
func (m *modelCore) fillLogs(logs Logs, loss float64, sums, counts []float64) {
	logs["loss"] = loss
	for i, mt := range m.metrics {
		logs[mt.Name()] = sums[i] / max(counts[i], 1)
	}
}

// epochLogs appends the running loss and metric values to logs.
func (m *modelCore) epochLogs(logs []logValue, loss float64, sums, counts []float64) []logValue {
	logs = append(logs, logValue{"loss", loss})
	for i, mt := range m.metrics {
		logs = append(logs, logValue{mt.Name(), sums[i] / max(counts[i], 1)})
	}
	return logs
}

// evaluate computes the mean loss and metrics over x, y in batches of bs. It reports
// stopped when interrupted.
func (m *modelCore) evaluate(x, y *Tensor, bs int, bar *progbar) (vals []float64, stopped bool) {
	r := m.self.prepare("Evaluate", x)
	extra := addExtraLosses(m.self.Layers(), false)
	s := newOneOutputStats(m)
	var logs []logValue
	src := newOrderedBatches(r, x, y, bs)
	defer src.stop()
	for {
		if interrupt.Requested() {
			return nil, true
		}
		_, size, ok := src.next()
		if !ok {
			break
		}
		pred := m.self.inferStep(r)
		s.add(r, pred, m.batchLoss(r, pred)+extra, size)
		if bar != nil && bar.due(s.done) {
			logs = s.logs(logs)
			bar.update(s.done, logs)
		}
	}
	return s.values(), false
}

// Evaluate returns the loss and the metrics of the model on x, y, in the order of
// MetricsNames, as Keras's model.evaluate does. It returns nil if the user interrupts it.
// Options: BatchSize (default 32), Verbose (default 1), LogTo.
func (m *modelCore) Evaluate(x, y *Tensor, opts ...Option) []float64 {
	m.mustCompile("Evaluate")
	checkXY("Evaluate", x, y)
	c := newConfig(1, opts)
	bar := newProgbar(c.out, x.shape[0], c.verbose)
	vals, stopped := m.evaluate(x, y, c.batchSize, bar)
	if stopped {
		bar.abort()
		return nil
	}
	logs := make([]logValue, len(vals))
	for i, name := range m.MetricsNames() {
		logs[i] = logValue{name, vals[i]}
	}
	bar.finish(x.shape[0], logs)
	return vals
}

// Predict returns the model's outputs for inputs x, computed in batches (Options:
// BatchSize, default 32). It returns nil if the user interrupts it.
func (m *modelCore) Predict(x *Tensor, opts ...Option) *Tensor {
	c := newConfig(0, opts)
	if x == nil || len(x.shape) == 0 {
		panicf("Predict", nil, "inputs need a batch axis")
	}
	r := m.self.prepare("Predict", x)
	n := x.shape[0]
	outShape := append([]int{n}, m.self.outputRow()...)
	out := Zeros(outShape...)
	row := out.Size() / max(n, 1)
	src := newOrderedBatches(r, x, nil, c.batchSize)
	defer src.stop()
	for {
		if interrupt.Requested() {
			return nil
		}
		start, _, ok := src.next()
		if !ok {
			break
		}
		pred := m.self.inferStep(r)
		copy(out.f32[start*row:], pred.floats("Predict"))
	}
	return out
}

// PredictOnBatch returns the model's outputs for x computed as one batch, as Keras's
// model.predict_on_batch.
func (m *modelCore) PredictOnBatch(x *Tensor) *Tensor {
	if x == nil || len(x.shape) == 0 {
		panicf("PredictOnBatch", nil, "inputs need a batch axis")
	}
	return m.Predict(x, BatchSize(max(x.shape[0], 1)))
}

// PredictClasses returns the index of the largest output of each sample, the class the
// model predicts (np.argmax(model.predict(x), axis=1)).
func (m *modelCore) PredictClasses(x *Tensor, opts ...Option) *Tensor {
	p := m.Predict(x, opts...)
	if p == nil {
		return nil
	}
	return p.ArgMax(-1)
}

// now is the clock of the progress bar; tests replace it.
var now = time.Now
