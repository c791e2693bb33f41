package dl

import (
	"math"

	"godl.dev/godl/accel/cpu"
)

// runner owns a model's per-step state: the schedule of layer kernels and every buffer a
// training or inference step touches, sized once for the largest batch and resliced for
// smaller ones. After the first step of a given batch size, a step with built-in layers
// allocates nothing.
type runner struct {
	stages []Kernel
	fused  SoftmaxKernel // the last layer when softmax and the loss are fused, else nil
	row    int           // elements per input sample

	buf    batchBufs // the batch's converted inputs and targets
	xb     *Tensor   // batch input view over buf.x
	yb     *Tensor   // the batch's targets: labels or dense
	yLab   *Tensor   // batch integer labels view over buf.lab
	yDense *Tensor   // batch dense targets (one-hot rows, regression values) over buf.yf
	probs  *Tensor   // fused path: softmax output
	dlog   *Tensor   // fused path: gradient of the loss with respect to the logits
	pBuf   []float32
	dBuf   []float32

	vars, grads []*Tensor // all trainable variables, and their gradients for the optimizer
	idx         []int     // sample order of the current epoch
	inOrder     []int     // 0, 1, 2, …: the samples of Evaluate and Predict (samplesInOrder)

	// With a plain SGD optimizer, the kernels in fusedSGD update their own weights, and the
	// optimizer gets only the other variables (restVars).
	fusedSGD            []FusedSGD
	restVars, restGrads []*Tensor

	// ReLU producers followed by max pooling: the pooling layer applies the ReLU mask.
	reluProducers []ReLUProducer
	reluPools     []ReLUMaskingPool

	trainable []bool // the weights' trainable flags when the runner was made
	needDx    []bool // per stage of a Sequential: whether to compute its input's gradient

	sparseLoss bool   // the loss takes integer labels (a sparse cross-entropy)
	fusedName  string // the name of the fused softmax layer, for label errors
	extraLoss  bool   // some layer may add losses (LossLayer): add them in each step

	graph *graphRun // a functional model's schedule, nil for Sequential
}

// current reports whether the runner still matches the trainable flags of the weights of
// ls, the model's layers (without allocating: FitDataset asks at every batch).
func (r *runner) current(ls []Layer) bool {
	i := 0
	for _, l := range ls {
		for _, w := range l.Weights() {
			if i >= len(r.trainable) || r.trainable[i] != w.trainable {
				return false
			}
			i++
		}
	}
	return i == len(r.trainable)
}

// hasTrainable reports whether l has a weight to train.
func hasTrainable(l Layer) bool {
	for _, w := range l.Weights() {
		if w.trainable {
			return true
		}
	}
	return false
}

// layerFlags returns the trainable flags of the weights of ls, as current compares them.
func layerFlags(ls []Layer) []bool {
	var flags []bool
	for _, l := range ls {
		for _, w := range l.Weights() {
			flags = append(flags, w.trainable)
		}
	}
	return flags
}

func allTrainable(ws []*Tensor) bool {
	for _, w := range ws {
		if !w.trainable {
			return false
		}
	}
	return true
}

// autodiffKernel runs a Layer that has no Kernel through Call and autodiff.
type autodiffKernel struct {
	l       Layer
	in, out *Tensor
}

func (a *autodiffKernel) Forward(x *Tensor, training bool) *Tensor {
	a.in = x.Detach().RequireGrad()
	InLayer(a.l.Name(), func() { a.out = a.l.Call(a.in, training) })
	return a.out
}

func (a *autodiffKernel) Backward(dy *Tensor, needDx bool) *Tensor {
	if a.out.requiresGrad {
		a.out.BackwardWith(dy)
	}
	g := a.in.grad
	a.in.grad = nil
	if !needDx {
		return nil
	}
	if g == nil { // the output does not depend on the input
		g = Zeros(a.in.shape...)
	}
	return g
}

// runnerFor returns the model's runner, making it at first use after Build or Compile, or
// after a weight was frozen or unfrozen.
func (m *Sequential) runnerFor() *runner {
	if m.run != nil && m.run.current(m.layers) {
		return m.run
	}
	ws := m.Weights()
	r := &runner{row: 1}
	for _, d := range m.inputShape {
		r.row *= d
	}
	for i, l := range m.layers {
		k, ok := l.(Kernel)
		if !ok {
			k = &autodiffKernel{l: l}
		}
		r.stages = append(r.stages, k)
		if i == len(m.layers)-1 {
			if sk, ok := l.(SoftmaxKernel); ok && sk.EndsInSoftmax() {
				if fl, ok := m.loss.(FusedLoss); ok && fl.FusesWithSoftmax() {
					r.fused, r.fusedName = sk, l.Name()
				}
			}
		}
	}
	r.xb = &Tensor{dtype: Float32, shape: append([]int{0}, m.inputShape...)}
	r.yLab = &Tensor{dtype: Int32, shape: []int{0}}
	r.yDense = &Tensor{dtype: Float32, shape: []int{0}}
	r.yb = r.yLab
	_, r.sparseLoss = m.loss.(FusedLoss)
	r.probs = &Tensor{dtype: Float32}
	r.dlog = &Tensor{dtype: Float32}
	r.extraLoss = hasLossLayers(m.layers)
	fused := map[*Tensor]bool{}
	if _, ok := m.optimizer.(PlainSGD); ok && !r.extraLoss {
		for i, st := range r.stages {
			ws := m.layers[i].Weights()
			if f, ok := st.(FusedSGD); ok && allTrainable(ws) {
				r.fusedSGD = append(r.fusedSGD, f)
				for _, w := range ws {
					fused[w] = true
				}
			}
		}
	}
	r.trainable = layerFlags(m.layers)
	// A stage passes a gradient back only if a layer before it has weights to train: the
	// Dense after MNIST's Flatten would otherwise compute a 32×784 input gradient at every
	// step for nobody.
	r.needDx = make([]bool, len(r.stages))
	for i := 1; i < len(r.stages); i++ {
		r.needDx[i] = r.needDx[i-1] || hasTrainable(m.layers[i-1])
	}
	for _, w := range ws {
		if w.trainable {
			r.vars = append(r.vars, w)
			if !fused[w] {
				r.restVars = append(r.restVars, w)
			}
		}
	}
	r.restGrads = make([]*Tensor, len(r.restVars))
	for i := 0; i+1 < len(r.stages); i++ {
		p, ok := r.stages[i].(ReLUProducer)
		q, ok2 := r.stages[i+1].(ReLUMaskingPool)
		if ok && ok2 && p.EndsInReLU() {
			r.reluProducers = append(r.reluProducers, p)
			r.reluPools = append(r.reluPools, q)
		}
	}
	r.grads = make([]*Tensor, len(r.vars))
	m.run = r
	return r
}

// batchBufs holds one batch converted for the kernels: the inputs as float32 rows, and the
// targets as integer labels or float32 rows. A runner fills its own; Fit's prefetcher fills
// a second set while a step runs on the first (see batchPrefetcher).
type batchBufs struct {
	x   []float32 // inputs, runner.row elements per sample
	lab []int32   // integer labels, one per sample
	yf  []float32 // dense targets (one-hot rows, regression values)
}

// labels reports whether the targets y are gathered as integer labels: a 1-D y of labels
// (any dtype but float32, or float32 with a sparse cross-entropy); other targets are
// gathered as float32 rows.
func (r *runner) labels(y *Tensor) bool {
	return len(y.shape) == 1 && (y.dtype != Float32 || r.sparseLoss)
}

// sizeBufs grows bb to hold b samples of x's rows and of y's targets (y may be nil).
func (r *runner) sizeBufs(bb *batchBufs, y *Tensor, b int) {
	if cap(bb.x) < b*r.row {
		bb.x = make([]float32, b*r.row)
	}
	if cap(bb.lab) < b {
		bb.lab = make([]int32, b)
	}
	if y != nil && !r.labels(y) {
		if n := b * (y.Size() / max(y.shape[0], 1)); cap(bb.yf) < n {
			bb.yf = make([]float32, n)
		}
	}
}

// viewBufs points the runner's batch tensors (xb, and yb for targets y unless y is nil) at
// the first b samples of bb.
func (r *runner) viewBufs(bb *batchBufs, y *Tensor, b int) {
	r.xb.shape[0], r.xb.f32 = b, bb.x[:b*r.row]
	if y != nil {
		r.viewTargets(bb, y, b)
	}
}

// viewTargets points yb at the targets of the first b samples of bb, gathered from y.
func (r *runner) viewTargets(bb *batchBufs, y *Tensor, b int) {
	switch {
	case r.labels(y):
		r.yLab.shape[0], r.yLab.i32 = b, bb.lab[:b]
		r.yb = r.yLab
	default:
		if len(r.yDense.shape) != len(y.shape) {
			r.yDense.shape = cloneShape(y.shape)
		}
		copy(r.yDense.shape[1:], y.shape[1:])
		r.yDense.shape[0], r.yDense.f32 = b, bb.yf[:b*(y.Size()/max(y.shape[0], 1))]
		r.yb = r.yDense
	}
}

// fillRows converts samples idx[lo:hi] of x, and their targets in y unless y is nil, into
// rows lo to hi of bb (sized by sizeBufs), converting to float32 (through a scaled view's
// table). It touches nothing but those rows of bb, so that disjoint ranges may be filled
// concurrently.
func (r *runner) fillRows(bb *batchBufs, x, y *Tensor, idx []int, lo, hi int) {
	row := r.row
	dst := bb.x
	switch {
	case x.f32 != nil:
		for i := lo; i < hi; i++ {
			s := idx[i]
			copy(dst[i*row:(i+1)*row], x.f32[s*row:(s+1)*row])
		}
	case x.u8 != nil:
		lut := x.lut
		if x.dtype == Uint8 {
			lut = &identityLUT
		}
		var next []uint8
		for i := lo; i < hi; i++ {
			s := idx[i]
			if i+1 < hi {
				next = x.u8[idx[i+1]*row : (idx[i+1]+1)*row]
			} else {
				next = nil
			}
			cpu.ConvertBytes(dst[i*row:(i+1)*row], x.u8[s*row:(s+1)*row], lut, next)
		}
	default: // int32 data
		for i := lo; i < hi; i++ {
			s := idx[i]
			for j := 0; j < row; j++ {
				dst[i*row+j] = float32(x.i32[s*row+j])
			}
		}
	}
	if y != nil {
		r.fillTargets(bb, y, idx, lo, hi)
	}
}

// fillTargets converts the targets idx[lo:hi] of y into rows lo to hi of bb's labels or
// dense targets.
func (r *runner) fillTargets(bb *batchBufs, y *Tensor, idx []int, lo, hi int) {
	if r.labels(y) {
		for i := lo; i < hi; i++ {
			bb.lab[i] = int32(y.at(idx[i]))
		}
		return
	}
	yrow := y.Size() / max(y.shape[0], 1)
	for i := lo; i < hi; i++ {
		s := idx[i]
		if y.f32 != nil {
			copy(bb.yf[i*yrow:(i+1)*yrow], y.f32[s*yrow:(s+1)*yrow])
			continue
		}
		for j := 0; j < yrow; j++ {
			bb.yf[i*yrow+j] = float32(y.at(s*yrow + j))
		}
	}
}

// gather copies the samples idx of x and their targets in y (y may be nil) into the batch
// buffers and points the batch tensors at them.
func (r *runner) gather(x, y *Tensor, idx []int) {
	r.sizeBufs(&r.buf, y, len(idx))
	r.viewBufs(&r.buf, y, len(idx))
	r.fillRows(&r.buf, x, y, idx, 0, len(idx))
}

// gatherTargets copies the targets idx of y into the batch's target buffers and points yb at
// them: integer labels or float32 rows (see labels).
func (r *runner) gatherTargets(y *Tensor, idx []int) {
	r.sizeBufs(&r.buf, y, len(idx))
	r.viewTargets(&r.buf, y, len(idx))
	r.fillTargets(&r.buf, y, idx, 0, len(idx))
}

// identityLUT maps each byte to its value.
var identityLUT = func() (t [256]float32) {
	for i := range t {
		t[i] = float32(i)
	}
	return t
}()

// setRows points t at the first b rows of *buf (grown to hold them) with n columns.
func setRows(t *Tensor, buf *[]float32, b, n int) {
	if cap(*buf) < b*n {
		*buf = make([]float32, b*n)
	}
	if len(t.shape) != 2 {
		t.shape = make([]int, 2)
	}
	t.shape[0], t.shape[1] = b, n
	t.f32 = (*buf)[:b*n]
}

// trainStep runs forward, loss, backward and the optimizer on the gathered batch. It returns
// the batch's mean loss and the predictions (owned by the runner or the last layer).
func (m *Sequential) trainStep(r *runner) (float64, *Tensor) {
	h := r.xb
	n := len(r.stages)
	vars, grads := r.beginTrainStep(m.optimizer)
	defer r.unfuse()
	for i, st := range r.stages[:n-1] {
		h = m.forwardStage(i, st, h, true)
	}
	var loss float64
	var pred, dh *Tensor
	if r.fused != nil {
		loss = r.fusedSoftmaxLoss(m.loss, r.fused.ForwardLogits(h))
		pred = r.probs
		dh = r.fused.BackwardLogits(r.dlog, r.needDx[n-1])
	} else {
		pred = m.forwardStage(n-1, r.stages[n-1], h, true)
		leaf := pred.Detach().RequireGrad()
		var l *Tensor
		InLayer(m.loss.Name(), func() { l = m.loss.Compute(r.yb, leaf) })
		loss = l.Item()
		if l.requiresGrad {
			l.Backward()
		}
		g := leaf.grad
		if g == nil {
			g = Zeros(leaf.shape...)
		}
		dh = r.stages[n-1].Backward(g, r.needDx[n-1])
	}
	for i := n - 2; i >= 0; i-- {
		if dh == nil {
			break // no stage before needs a gradient
		}
		dh = r.stages[i].Backward(dh, r.needDx[i])
	}
	return r.endTrainStep(m.optimizer, m.layers, loss, vars, grads), pred
}

// beginTrainStep clears the gradients of the model's variables and switches on, for this
// step, the fused SGD updates of the layers that apply a plain SGD in Backward and the ReLU
// masks of the pools after a ReLU; the caller defers r.unfuse(). It returns the variables
// left for opt to update after the backward pass, and the slice their gradients go in.
func (r *runner) beginTrainStep(opt Optimizer) (vars, grads []*Tensor) {
	for _, w := range r.vars {
		w.grad = nil
	}
	vars, grads = r.vars, r.grads
	if len(r.fusedSGD) > 0 {
		lr, plain := opt.(PlainSGD).PlainSGDRate()
		for _, f := range r.fusedSGD {
			f.SetFusedSGD(lr, plain)
		}
		if plain {
			vars, grads = r.restVars, r.restGrads
		}
	}
	for i, p := range r.reluProducers {
		p.SetSkipReLUBackward(true)
		r.reluPools[i].SetMaskByOutput(true)
	}
	return vars, grads
}

// fusedSoftmaxLoss computes the fused softmax cross-entropy (r.fused's loss) of logits
// [batch, classes] against the batch's integer labels: r.probs gets the probabilities,
// r.dlog the gradient of the mean loss with respect to the logits, and it returns the mean
// loss.
func (r *runner) fusedSoftmaxLoss(loss Loss, logits *Tensor) float64 {
	b, c := logits.shape[0], logits.shape[1]
	setRows(r.probs, &r.pBuf, b, c)
	setRows(r.dlog, &r.dBuf, b, c)
	if r.yb != r.yLab {
		panicf("Fit", [][]int{r.yb.shape, logits.shape}, "%s needs integer class labels [batch], not targets of the first shape", loss.Name())
	}
	if b == 0 {
		return 0
	}
	labelsInRange(r.fusedName, r.yb.i32, c)
	return float64(backend().SoftmaxCrossEntropy(b, c, logits.f32, r.yb.i32, r.probs.f32, r.dlog.f32))
}

// endTrainStep ends a training step after the backward pass: it adds the layers' extra
// losses to loss when they have any, hands the gradients of vars to opt and returns the
// loss.
func (r *runner) endTrainStep(opt Optimizer, layers []Layer, loss float64, vars, grads []*Tensor) float64 {
	if r.extraLoss {
		loss += addExtraLosses(layers, true)
	}
	for i, w := range vars {
		grads[i] = w.grad
	}
	opt.ApplyGradients(grads, vars)
	return loss
}

// unfuse switches the fused SGD updates and ReLU masks off again, so that a Backward outside
// Fit (a custom training loop) behaves as documented for each layer alone.
func (r *runner) unfuse() {
	for _, f := range r.fusedSGD {
		f.SetFusedSGD(0, false)
	}
	for i, p := range r.reluProducers {
		p.SetSkipReLUBackward(false)
		r.reluPools[i].SetMaskByOutput(false)
	}
}

// forwardStage runs stage i, naming the layer in any shape error.
func (m *Sequential) forwardStage(i int, st Kernel, h *Tensor, training bool) *Tensor {
	if _, ok := st.(*autodiffKernel); ok {
		return st.Forward(h, training)
	}
	defer nameLayerOnPanic(m.layers[i].Name())
	return st.Forward(h, training)
}

// nameLayerOnPanic is InLayer for a deferred call (no closure allocation on the hot path).
func nameLayerOnPanic(layer string) {
	if r := recover(); r != nil {
		if e, ok := r.(*Error); ok && e.Layer == "" {
			e.Layer = layer
		}
		panic(r)
	}
}

func labelsInRange(layer string, lab []int32, classes int) {
	for _, l := range lab {
		if l < 0 || int(l) >= classes {
			panic(&Error{Op: "SparseCategoricalCrossentropy", Layer: layer,
				Msg: "label " + itoa(int(l)) + " out of range for " + itoa(classes) + " classes"})
		}
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// prepare builds the model for x and returns its runner (see stepper).
func (m *Sequential) prepare(op string, x *Tensor) *runner {
	m.buildFor(op, x)
	return m.runnerFor()
}

// outputRow returns the per-sample shape of the last layer's output.
func (m *Sequential) outputRow() []int { return m.outShapes[len(m.outShapes)-1][1:] }

// inferStep runs the layers in inference mode on the gathered batch and returns the
// predictions.
func (m *Sequential) inferStep(r *runner) *Tensor {
	h := r.xb
	for i, st := range r.stages {
		if ad, ok := st.(*autodiffKernel); ok {
			NoGrad(func() { InLayer(ad.l.Name(), func() { h = ad.l.Call(h, false) }) })
			continue
		}
		h = m.forwardStage(i, st, h, false)
	}
	return h
}

// batchLoss returns the mean loss of predictions pred for the gathered labels, without
// recording gradients.
func (m *modelCore) batchLoss(r *runner, pred *Tensor) float64 {
	if r.fused != nil && len(pred.shape) == 2 && r.yb == r.yLab {
		c := pred.shape[1]
		labelsInRange(r.fusedName, r.yb.i32, c)
		var s float64
		for i, l := range r.yb.i32 {
			q := min(max(pred.f32[i*c+int(l)], Epsilon), 1-Epsilon)
			s -= math.Log(float64(q))
		}
		return s / float64(max(len(r.yb.i32), 1))
	}
	var l *Tensor
	NoGrad(func() { l = m.loss.Compute(r.yb, pred) })
	return l.Item()
}
