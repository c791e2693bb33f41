package dl

import "fmt"

// Model is a model made of a graph of layer calls, as Keras's functional Model: NewModel
// takes the symbolic inputs (Input) and outputs (Apply) and keeps every layer call between
// them. A Model trains, evaluates and predicts as Sequential does (the same Fit), and is
// itself a Layer, so models nest in models and in Sequential. Subclass makes a Model of a
// type whose Call method runs the layers it holds.
type Model struct {
	modelCore

	inputs, outputs []*Tensor
	nodes           []*graphNode // the calls in the model, inputs before the calls using them
	layers          []Layer      // Keras's model.layers order
	depth           map[*graphNode]int

	sub *subclass // a subclassed model's body, nil for a functional one

	lossWeights []float64 // SetLossWeights: the weight of each output's loss, nil for all 1
}

var _ Network = (*Model)(nil)

// NewModel returns the model computing outputs from inputs, as keras.Model(inputs,
// outputs): inputs are Input tensors, outputs symbolic tensors computed from them with
// Apply. The model uses the layers themselves, not copies: a model made from part of
// another (a feature extractor, a new head on base.Output()) shares their weights. The
// name, if given, replaces the automatic "model", "model_1", ….
//
// Fit, Evaluate and Predict take one input and one output; FitMany, EvaluateMany and
// PredictMany take a model of several inputs or outputs.
func NewModel(inputs, outputs []*Tensor, name ...string) *Model {
	if len(inputs) == 0 || len(outputs) == 0 {
		panicf("NewModel", nil, "a model needs at least one input and one output")
	}
	for i, t := range append(append([]*Tensor(nil), inputs...), outputs...) {
		if t == nil || t.sym == nil {
			panicf("NewModel", nil, "tensor %d is not symbolic: inputs come from dl.Input, outputs from dl.Apply", i)
		}
	}
	for _, t := range inputs {
		if _, ok := t.sym.node.layer.(*InputLayer); !ok {
			panicf("NewModel", [][]int{t.shape}, "input %s is not an Input tensor: make the model's inputs with dl.Input", t.sym.node.layer.Name())
		}
	}
	m := &Model{inputs: append([]*Tensor(nil), inputs...), outputs: append([]*Tensor(nil), outputs...)}
	m.self = m
	if len(name) > 0 && name[0] != "" {
		m.name = name[0]
	} else {
		m.name = UniqueName("model")
	}
	m.mapGraph()
	return m
}

// mapGraph finds the nodes between the inputs and the outputs and orders the nodes and the
// layers as Keras's _map_graph_network does: a node's depth is its longest distance to an
// output; layers go by decreasing depth, then by the order a depth-first walk from the
// outputs first met them.
func (m *Model) mapGraph() {
	isInput := map[*graphNode]bool{}
	for _, t := range m.inputs {
		isInput[t.sym.node] = true
	}
	const (
		unseen = iota
		active
		done
	)
	state := map[*graphNode]int{}
	layerIndex := map[string]int{}
	var order []*graphNode // inputs before users
	var visit func(n *graphNode)
	visit = func(n *graphNode) {
		switch state[n] {
		case active:
			panicf("NewModel", nil, "the graph has a cycle through layer %q", n.layer.Name())
		case done:
			return
		}
		state[n] = active
		if _, ok := layerIndex[n.layer.Name()]; !ok {
			layerIndex[n.layer.Name()] = len(layerIndex)
		}
		if _, ok := n.layer.(*InputLayer); ok && !isInput[n] {
			panicf("NewModel", nil, "the graph is disconnected: it needs input %q, which is not among the model's inputs", n.layer.Name())
		}
		for _, in := range n.inputs {
			visit(in.sym.node)
		}
		state[n] = done
		order = append(order, n)
	}
	for _, t := range m.outputs {
		visit(t.sym.node)
	}
	for _, t := range m.inputs {
		if state[t.sym.node] != done {
			visit(t.sym.node) // an input no output uses: still a layer of the model
		}
	}
	m.nodes = order
	// Depths: outputs 0, a node's inputs deeper than the node.
	m.depth = map[*graphNode]int{}
	layerDepth := map[string]int{}
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		d := max(m.depth[n], layerDepth[n.layer.Name()])
		m.depth[n] = d
		layerDepth[n.layer.Name()] = d
		for _, in := range n.inputs {
			p := in.sym.node
			m.depth[p] = max(m.depth[p], d+1)
		}
	}
	// Layers: one per name (a layer written in a cell may reach us as several interface
	// values), by decreasing depth, then by first meeting.
	byName := map[string]Layer{}
	var names []string
	for _, n := range order {
		if _, ok := byName[n.layer.Name()]; !ok {
			byName[n.layer.Name()] = n.layer
			names = append(names, n.layer.Name())
		}
	}
	sortStable(names, func(a, b string) bool {
		if layerDepth[a] != layerDepth[b] {
			return layerDepth[a] > layerDepth[b]
		}
		return layerIndex[a] < layerIndex[b]
	})
	m.layers = m.layers[:0]
	for _, n := range names {
		m.layers = append(m.layers, byName[n])
	}
}

// sortStable sorts s by less (insertion sort: models have hundreds of layers at most).
func sortStable(s []string, less func(a, b string) bool) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && less(s[j], s[j-1]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Inputs returns the model's input tensors.
func (m *Model) Inputs() []*Tensor { return append([]*Tensor(nil), m.inputs...) }

// Outputs returns the model's output tensors.
func (m *Model) Outputs() []*Tensor { return append([]*Tensor(nil), m.outputs...) }

// Input returns the model's only input tensor, as Keras's model.input.
func (m *Model) Input() *Tensor {
	m.functional("Input")
	if len(m.inputs) != 1 {
		panicf("Model.Input", nil, "model %q has %d inputs: use Inputs", m.name, len(m.inputs))
	}
	return m.inputs[0]
}

// Output returns the model's only output tensor, as Keras's model.output: apply new layers
// to it and make a new model to graft a head on this one.
func (m *Model) Output() *Tensor {
	m.functional("Output")
	if len(m.outputs) != 1 {
		panicf("Model.Output", nil, "model %q has %d outputs: use Outputs", m.name, len(m.outputs))
	}
	return m.outputs[0]
}

// functional panics for a subclassed model, which has no graph.
func (m *Model) functional(op string) {
	if m.sub != nil {
		panicf("Model."+op, nil, "model %q is subclassed: it has no symbolic inputs and outputs", m.name)
	}
}

// Layers returns the model's layers, each once, as Keras's model.layers: for a functional
// model its InputLayers and every layer called between inputs and outputs, deepest first;
// for a subclassed model the layers its fields hold, in field order.
func (m *Model) Layers() []Layer {
	if m.sub != nil {
		return m.sub.layerList()
	}
	return append([]Layer(nil), m.layers...)
}

// GetLayer returns the layer named name, as Keras's model.get_layer, or nil if there is
// none.
func (m *Model) GetLayer(name string) Layer {
	for _, l := range m.Layers() {
		if l.Name() == name {
			return l
		}
	}
	return nil
}

// ClassName returns "Model", or a subclassed model's class name.
func (m *Model) ClassName() string {
	if m.sub != nil {
		return m.sub.class
	}
	return "Model"
}

// String describes the model in one line, such as <Model "model": 5 layers, 1,234 params>.
func (m *Model) String() string {
	s := fmt.Sprintf("<%s %q: %d layers", m.ClassName(), m.name, len(m.Layers()))
	if m.Built() {
		s += ", " + thousands(m.CountParams()) + " params"
	}
	return s + ">"
}

// Built reports whether the model's layers are built: always for a functional model, after
// the first call for a subclassed one.
func (m *Model) Built() bool { return m.sub == nil || m.sub.inShape != nil }

// Weights returns the variables of the model's layers, each once, in layer order.
func (m *Model) Weights() []*Tensor {
	var ws []*Tensor
	seen := map[*Tensor]bool{}
	for _, l := range m.Layers() {
		for _, w := range l.Weights() {
			if !seen[w] {
				seen[w] = true
				ws = append(ws, w)
			}
		}
	}
	return ws
}

// TrainableWeights returns the variables that optimizers update.
func (m *Model) TrainableWeights() []*Tensor {
	ws, _ := splitTrainable(m.Weights())
	return ws
}

// NonTrainableWeights returns the variables that optimizers leave alone: frozen weights and
// statistics such as a batch normalization's moving mean.
func (m *Model) NonTrainableWeights() []*Tensor {
	_, ws := splitTrainable(m.Weights())
	return ws
}

// CountParams returns the number of weights of the model.
func (m *Model) CountParams() int {
	t, _ := CountParams(m.Weights())
	return t
}

// Losses returns the extra losses of the layers (LossLayer), nested models included,
// computed now from the current weights, as Keras's model.losses. Fit adds their sum to
// the loss it minimises.
func (m *Model) Losses() []*Tensor { return layerLosses(m.Layers()) }

// Build checks that inputs of inputShape (batch axis first) fit the model's input; a
// subclassed model is built by calling it on a batch of zeros of that shape, as Keras's
// model.build. Build makes Model a Layer.
func (m *Model) Build(inputShape []int) {
	if len(inputShape) == 0 {
		panicf("Model.Build", [][]int{inputShape}, "the input shape needs a batch axis")
	}
	if m.sub != nil {
		m.sub.build(m, inputShape[1:])
		return
	}
	m.checkInput("Model.Build", inputShape)
}

// checkInput panics unless shape (batch axis first) fits the model's only input.
func (m *Model) checkInput(op string, shape []int) {
	if len(m.inputs) != 1 {
		panicf(op, nil, "model %q has %d inputs; only models of one input can be called; fit, evaluate or predict it with FitMany, EvaluateMany, PredictMany", m.name, len(m.inputs))
	}
	want := m.inputs[0].shape
	ok := len(shape) == len(want)
	for i := 1; ok && i < len(want); i++ {
		ok = want[i] == -1 || shape[i] == -1 || want[i] == shape[i]
	}
	if !ok {
		panicf(op, [][]int{want, shape}, "model %q expects inputs of the first shape, got the second", m.name)
	}
}

// OutputShape returns the shape of the model's output for inputs of inputShape (batch axis
// first).
func (m *Model) OutputShape(inputShape []int) []int {
	if m.sub != nil {
		m.Build(inputShape)
		out := cloneShape(m.sub.outShape)
		out[0] = inputShape[0]
		return out
	}
	m.checkInput("Model.OutputShape", inputShape)
	if len(m.outputs) != 1 {
		panicf("Model.OutputShape", nil, "model %q has %d outputs; only models of one output can be a layer", m.name, len(m.outputs))
	}
	out := cloneShape(m.outputs[0].shape)
	out[0] = inputShape[0]
	return out
}

// Call runs the model on the batch x with tensor operations, so that gradients flow through
// it (custom training loops, and a model used as a layer): each layer's Call, in graph
// order.
func (m *Model) Call(x *Tensor, training bool) *Tensor {
	if x == nil || len(x.shape) == 0 {
		panicf("Model.Call", nil, "inputs need a batch axis")
	}
	if m.sub != nil {
		return m.sub.call(m, x, training)
	}
	m.checkInput("Model.Call", x.shape)
	if len(m.outputs) != 1 {
		panicf("Model.Call", nil, "model %q has %d outputs; only models of one output can be called", m.name, len(m.outputs))
	}
	vals := map[*Tensor]*Tensor{m.inputs[0]: x}
	for _, n := range m.nodes {
		if len(n.inputs) == 0 {
			continue
		}
		ins := make([]*Tensor, len(n.inputs))
		for i, t := range n.inputs {
			ins[i] = vals[t]
		}
		var y *Tensor
		InLayer(n.layer.Name(), func() {
			if ml, ok := n.layer.(MergeLayer); ok {
				y = ml.CallMany(ins, training)
			} else {
				y = n.layer.Call(ins[0], training)
			}
		})
		vals[n.output] = y
	}
	return vals[m.outputs[0]]
}

// outputRow returns the per-sample shape of the model's output.
func (m *Model) outputRow() []int {
	if m.sub != nil {
		return m.sub.outShape[1:]
	}
	return m.outputs[0].shape[1:]
}
