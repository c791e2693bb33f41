package dl

// Training and inference steps of a Model: a schedule of stages over value slots, one slot
// per tensor of the graph. A stage runs a layer's compiled Kernel (or MergeKernel) when the
// layer appears at one node of the model, and the layer's Call with autodiff otherwise
// (shared layers, nested models, layers without kernels). Gradients that reach a slot from
// several stages (a tensor used twice) are summed in a buffer the schedule owns.

// graphRun is a functional model's schedule.
type graphRun struct {
	stages []*graphStage
	out    int   // the slot of the model's first output
	outs   []int // the slots of all the outputs, in the model's order
	// Models of several inputs or outputs (FitMany): the batch of input i > 0 is gathered
	// in feeds[i-1], the targets of output j > 0 in targets[j-1]; the runner itself holds
	// input 0 and the targets of output 0. Input i has slot i.
	feeds, targets []*runner
	vals           []*Tensor
	grads          []*Tensor // the gradient reaching each slot in this step
	own            []*Tensor // buffers owned by the schedule, for summed gradients
	owned          []bool    // whether grads[i] is own[i] in this step
	dxs            []*Tensor // scratch for one stage's input gradients
	needDx         [][]bool  // per stage: which inputs need a gradient
}

// graphStage runs one node.
type graphStage struct {
	layer  Layer
	in     []int // input slots
	out    int   // output slot
	kernel Kernel
	merge  MergeKernel
	// autodiff state: the detached inputs and the output of the last forward pass
	ins []*Tensor
	y   *Tensor
}

// runnerFor returns the model's runner, made at first use after Compile, or after a weight
// was frozen or unfrozen.
func (m *Model) runnerFor() *runner {
	if m.run != nil && m.run.current(m.layers) {
		return m.run
	}
	r := newRunner(m.inputs[0].shape[1:], m.loss, m.Weights(), m.layers)
	m.addSchedule(r)
	m.run = r
	return r
}

// newRunner returns a runner with batch buffers for samples of shape in, and the trainable
// variables among ws, the weights of ls.
func newRunner(in []int, loss Loss, ws []*Tensor, ls []Layer) *runner {
	r := &runner{row: 1}
	for _, d := range in {
		r.row *= d
	}
	r.xb = &Tensor{dtype: Float32, shape: append([]int{0}, in...)}
	r.yLab = &Tensor{dtype: Int32, shape: []int{0}}
	r.yDense = &Tensor{dtype: Float32, shape: []int{0}}
	r.yb = r.yLab
	_, r.sparseLoss = loss.(FusedLoss)
	r.probs = &Tensor{dtype: Float32}
	r.dlog = &Tensor{dtype: Float32}
	r.extraLoss = hasLossLayers(ls)
	r.trainable = layerFlags(ls)
	for _, w := range ws {
		if w.trainable {
			r.vars = append(r.vars, w)
		}
	}
	r.grads = make([]*Tensor, len(r.vars))
	return r
}

// addSchedule gives r the schedule of the model's graph.
func (m *Model) addSchedule(r *runner) {
	g := &graphRun{}
	calls := map[string]int{}
	for _, n := range m.nodes {
		calls[n.layer.Name()]++
	}
	slot := map[*Tensor]int{}
	for i, t := range m.inputs {
		slot[t] = i
		if i > 0 {
			g.feeds = append(g.feeds, newRunner(t.shape[1:], m.loss, nil, nil))
		}
	}
	nslots := len(m.inputs)
	for _, n := range m.nodes {
		if len(n.inputs) == 0 {
			continue
		}
		st := &graphStage{layer: n.layer, out: nslots}
		slot[n.output] = nslots
		nslots++
		need := make([]bool, len(n.inputs))
		for i, t := range n.inputs {
			st.in = append(st.in, slot[t])
			need[i] = slot[t] >= len(m.inputs)
		}
		if calls[n.layer.Name()] == 1 {
			if ml, ok := n.layer.(MergeLayer); ok {
				if mk, ok := ml.(MergeKernel); ok {
					st.merge = mk
				}
			} else if k, ok := n.layer.(Kernel); ok {
				st.kernel = k
			}
		} else if _, merge := n.layer.(MergeLayer); !merge && len(n.inputs) == 1 {
			st.kernel = weightlessKernel(n.layer, n.inputs[0].shape)
		}
		g.stages = append(g.stages, st)
		g.needDx = append(g.needDx, need)
	}
	for j, t := range m.outputs {
		g.outs = append(g.outs, slot[t])
		if j > 0 {
			g.targets = append(g.targets, newRunner(nil, m.loss, nil, nil))
		}
	}
	g.out = g.outs[0]
	g.vals = make([]*Tensor, nslots)
	g.grads = make([]*Tensor, nslots)
	g.own = make([]*Tensor, nslots)
	g.owned = make([]bool, nslots)
	if len(g.stages) > 0 && len(g.outs) == 1 {
		last := g.stages[len(g.stages)-1]
		if last.out == g.out && last.kernel != nil {
			if sk, ok := last.kernel.(SoftmaxKernel); ok && sk.EndsInSoftmax() {
				if fl, ok := m.loss.(FusedLoss); ok && fl.FusesWithSoftmax() {
					r.fused, r.fusedName = sk, last.layer.Name()
				}
			}
		}
	}
	g.addFusions(r, m.optimizer)
	r.graph = g
}

// addFusions sets up Sequential's other two fusions where the graph allows them: plain SGD
// inside the kernels of layers called once (their weights serve no other stage), and the
// ReLU mask moved to a max pooling that is the only user of a ReLU producer's output.
func (g *graphRun) addFusions(r *runner, opt Optimizer) {
	users := make([]int, len(g.vals))
	for _, s := range g.outs {
		users[s]++ // a model output is used by the loss: its ReLU mask stays with its producer
	}
	for _, st := range g.stages {
		for _, s := range st.in {
			users[s]++
		}
	}
	fused := map[*Tensor]bool{}
	if _, ok := opt.(PlainSGD); ok && !r.extraLoss {
		for _, st := range g.stages {
			ws := st.layer.Weights()
			if f, ok := st.kernel.(FusedSGD); ok && len(ws) > 0 && allTrainable(ws) {
				r.fusedSGD = append(r.fusedSGD, f)
				for _, w := range ws {
					fused[w] = true
				}
			}
		}
	}
	r.restVars = r.restVars[:0]
	for _, w := range r.vars {
		if !fused[w] {
			r.restVars = append(r.restVars, w)
		}
	}
	r.restGrads = make([]*Tensor, len(r.restVars))
	for _, st := range g.stages {
		p, ok := st.kernel.(ReLUProducer)
		if !ok || !p.EndsInReLU() || users[st.out] != 1 {
			continue
		}
		for _, next := range g.stages {
			if len(next.in) == 1 && next.in[0] == st.out {
				if q, ok := next.kernel.(ReLUMaskingPool); ok {
					r.reluProducers = append(r.reluProducers, p)
					r.reluPools = append(r.reluPools, q)
				}
			}
		}
	}
}

// prepare builds the model for x and returns its runner (see stepper).
func (m *Model) prepare(op string, x *Tensor) *runner {
	if len(x.shape) == 0 {
		panicf(op, [][]int{x.shape}, "inputs need a batch axis")
	}
	if m.sub != nil {
		m.sub.build(m, x.shape[1:])
		return m.sub.runnerFor(m)
	}
	m.checkInput(op, x.shape)
	if len(m.outputs) != 1 {
		panicf(op, nil, "model %q has %d outputs; Fit, Evaluate and Predict take models of one output: use FitMany, EvaluateMany, PredictMany", m.name, len(m.outputs))
	}
	for _, d := range m.inputs[0].shape[1:] {
		if d < 0 {
			panicf(op, [][]int{m.inputs[0].shape}, "model %q has an input of unknown size; Fit and Predict need every axis but the batch known", m.name)
		}
	}
	return m.runnerFor()
}

// forward runs every stage on the gathered batch; the last stage stops at the logits when
// the softmax is fused with the loss.
func (g *graphRun) forward(r *runner, training bool) {
	g.vals[0] = r.xb
	for i, f := range g.feeds {
		g.vals[i+1] = f.xb
	}
	last := len(g.stages) - 1
	for i, st := range g.stages {
		if i == last && training && r.fused != nil {
			g.vals[st.out] = r.fused.ForwardLogits(g.vals[st.in[0]])
			continue
		}
		g.vals[st.out] = st.forward(g.vals, training)
	}
}

func (st *graphStage) forward(vals []*Tensor, training bool) *Tensor {
	defer nameLayerOnPanic(st.layer.Name())
	switch {
	case st.kernel != nil:
		return st.kernel.Forward(vals[st.in[0]], training)
	case st.merge != nil:
		xs := st.ins[:0]
		for _, s := range st.in {
			xs = append(xs, vals[s])
		}
		st.ins = xs
		return st.merge.ForwardMany(xs, training)
	}
	st.ins = st.ins[:0]
	for _, s := range st.in {
		x := vals[s]
		if training {
			x = x.Detach().RequireGrad()
		}
		st.ins = append(st.ins, x)
	}
	call := func() {
		if ml, ok := st.layer.(MergeLayer); ok {
			st.y = ml.CallMany(st.ins, training)
		} else {
			st.y = st.layer.Call(st.ins[0], training)
		}
	}
	if training {
		call()
	} else {
		NoGrad(call)
	}
	return st.y
}

// addGrad adds the gradient dx into slot s: kept as is for the first contribution, summed
// into the schedule's own buffer for the next ones.
func (g *graphRun) addGrad(s int, dx *Tensor) {
	if dx == nil {
		return
	}
	cur := g.grads[s]
	if cur == nil {
		g.grads[s] = dx
		return
	}
	if !g.owned[s] {
		buf := g.own[s]
		if buf == nil || !sameShape(buf.shape, cur.shape) {
			buf = Zeros(cur.shape...)
			g.own[s] = buf
		}
		copy(buf.f32, cur.floats("Backward"))
		g.grads[s], g.owned[s] = buf, true
	}
	dst, src := g.grads[s].f32, dx.floats("Backward")
	if len(src) != len(dst) {
		panicf("Backward", [][]int{cur.shape, dx.shape}, "gradients of one tensor have different sizes")
	}
	for i, v := range src {
		dst[i] += v
	}
}

// backward runs the stages backwards from dOuts, the gradients at the model's outputs in
// order (or at the logits when fused).
func (g *graphRun) backward(r *runner, dOuts ...*Tensor) {
	for i := range g.grads {
		g.grads[i], g.owned[i] = nil, false
	}
	for j, d := range dOuts {
		g.addGrad(g.outs[j], d)
	}
	last := len(g.stages) - 1
	for i := last; i >= 0; i-- {
		st := g.stages[i]
		dy := g.grads[st.out]
		if dy == nil {
			continue // the output does not reach the loss
		}
		need := g.needDx[i]
		switch {
		case i == last && r.fused != nil:
			g.addGrad(st.in[0], r.fused.BackwardLogits(dy, need[0]))
		case st.kernel != nil:
			dx := func() *Tensor {
				defer nameLayerOnPanic(st.layer.Name())
				return st.kernel.Backward(dy, need[0])
			}()
			if need[0] {
				g.addGrad(st.in[0], dx)
			}
		case st.merge != nil:
			dxs := func() []*Tensor {
				defer nameLayerOnPanic(st.layer.Name())
				return st.merge.BackwardMany(dy, need)
			}()
			for j, dx := range dxs {
				if need[j] {
					g.addGrad(st.in[j], dx)
				}
			}
		default:
			if st.y != nil && st.y.requiresGrad {
				st.y.BackwardWith(dy)
			}
			for j, x := range st.ins {
				dx := x.grad
				x.grad = nil
				if need[j] && dx != nil {
					g.addGrad(st.in[j], dx)
				}
			}
		}
	}
}

// trainStep runs forward, loss, backward and the optimizer on the gathered batch (see
// stepper).
func (m *Model) trainStep(r *runner) (float64, *Tensor) {
	if m.sub != nil {
		return m.sub.trainStep(m, r)
	}
	g := r.graph
	vars, grads := r.beginTrainStep(m.optimizer)
	defer r.unfuse()
	g.forward(r, true)
	h := g.vals[g.out]
	var loss float64
	var pred, dOut *Tensor
	if r.fused != nil {
		loss = r.fusedSoftmaxLoss(m.loss, h)
		pred, dOut = r.probs, r.dlog
	} else {
		pred = h
		dOut = lossGradient(m.loss, r.yb, h, &loss)
	}
	g.backward(r, dOut)
	return r.endTrainStep(m.optimizer, m.layers, loss, vars, grads), pred
}

// lossGradient computes loss(yTrue, pred) into *loss and returns its gradient with respect
// to pred.
func lossGradient(l Loss, yTrue, pred *Tensor, loss *float64) *Tensor {
	leaf := pred.Detach().RequireGrad()
	var t *Tensor
	InLayer(l.Name(), func() { t = l.Compute(yTrue, leaf) })
	*loss = t.Item()
	if t.requiresGrad {
		t.Backward()
	}
	g := leaf.grad
	if g == nil {
		g = Zeros(leaf.shape...)
	}
	return g
}

// inferStep returns the predictions for the gathered batch (see stepper).
func (m *Model) inferStep(r *runner) *Tensor {
	if m.sub != nil {
		return m.sub.inferStep(m, r)
	}
	r.graph.forward(r, false)
	return r.graph.vals[r.graph.out]
}

// weightlessKernel returns a kernel of its own for one call of a layer called several times
// (LeNet-5's shared pooling), or nil: only a layer without weights can be copied, from its
// configuration, since the copy's results must be the layer's.
func weightlessKernel(l Layer, inputShape []int) Kernel {
	cl, ok := l.(ConfigLayer)
	if !ok || len(l.Weights()) != 0 {
		return nil
	}
	var k Kernel
	err := Maybe(func() {
		c, err := LayerFromConfig(l.ClassName(), cl.Config())
		if err != nil {
			return
		}
		if kc, ok := c.(Kernel); ok && len(c.Weights()) == 0 {
			c.Build(inputShape)
			k = kc
		}
	})
	if err != nil {
		return nil
	}
	return k
}
