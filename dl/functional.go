package dl

// The functional API, as Keras's: Input makes a symbolic tensor, Apply calls a layer on
// symbolic tensors and records a node of the graph, and NewModel (model.go) turns the graph
// between some inputs and outputs into a Model.
//
// Glossary:
//
//	symbolic tensor  a tensor with a shape (batch axis -1) and no data, made by Input or
//	                 Apply; it knows the node that made it
//	graph node       one call of a layer on symbolic tensors: the layer, its inputs, its
//	                 output, and its index among the layer's calls (Keras's node_index,
//	                 printed in a summary's "Connected to" column as name[node][0])

import (
	"fmt"
	"reflect"
	"sync"
	"weak"
)

// symbol is what a symbolic tensor knows of its origin.
type symbol struct {
	node *graphNode
}

// graphNode is one call of a layer on symbolic tensors.
type graphNode struct {
	layer  Layer
	inputs []*Tensor // symbolic; none for an InputLayer's node
	output *Tensor   // symbolic
	index  int       // among the layer's nodes, in the order of the calls
	list   *nodeList // all the nodes of the layer, kept alive by each of them
}

// nodeList is the nodes of one layer, in call order.
type nodeList struct{ nodes []*graphNode }

// layerNodes finds a layer's nodes. Its values are weak: a layer's list lives as long as one
// of its nodes does (through a model or a symbolic tensor), so that models a notebook drops
// are collected with their layers' weights and buffers. The keys are addresses (no strong
// reference either): while a list lives, its layer does too, so the address is not reused.
var (
	nodesMu    sync.Mutex
	layerNodes = map[any]weak.Pointer[nodeList]{}
)

// layerKey returns a map key identifying l without keeping it alive: the address of a
// pointer layer. A layer declared in a notebook cell reaches compiled code as an
// interpreter's wrapper struct made anew at each call: its key is that of the cell's value
// inside (the wrapper's IValue field).
func layerKey(l Layer) any {
	v := reflect.ValueOf(l)
	if v.Kind() == reflect.Struct {
		if iv := v.FieldByName("IValue"); iv.IsValid() && iv.CanInterface() && iv.Interface() != nil {
			v = reflect.ValueOf(iv.Interface())
		}
	}
	switch {
	case v.Kind() == reflect.Pointer:
		return v.Pointer()
	case v.Comparable():
		return v.Interface()
	}
	return "name:" + l.Name()
}

// addNode records a call of l on inputs with an output of shape and returns its output.
func addNode(l Layer, inputs []*Tensor, shape []int) *Tensor {
	nodesMu.Lock()
	defer nodesMu.Unlock()
	k := layerKey(l)
	list := layerNodes[k].Value()
	if list == nil {
		list = &nodeList{}
		layerNodes[k] = weak.Make(list)
	}
	n := &graphNode{layer: l, inputs: inputs, index: len(list.nodes), list: list}
	n.output = &Tensor{dtype: Float32, shape: cloneShape(shape), sym: &symbol{node: n}}
	list.nodes = append(list.nodes, n)
	if len(layerNodes) > 64 && len(layerNodes)&(len(layerNodes)-1) == 0 {
		for k, p := range layerNodes { // drop the entries of collected layers now and then
			if p.Value() == nil {
				delete(layerNodes, k)
			}
		}
	}
	return n.output
}

// nodesOf returns the nodes of l, in call order.
func nodesOf(l Layer) []*graphNode {
	nodesMu.Lock()
	defer nodesMu.Unlock()
	list := layerNodes[layerKey(l)].Value()
	if list == nil {
		return nil
	}
	return append([]*graphNode(nil), list.nodes...)
}

// Symbolic reports whether t is a symbolic tensor of the functional API (made by Input or
// Apply): a shape with an unknown batch axis and no data.
func (t *Tensor) Symbolic() bool { return t != nil && t.sym != nil }

// InputLayer is the layer behind an Input tensor, as Keras's InputLayer: the first layer of
// a functional model, with no weights.
type InputLayer struct {
	name  string
	shape []int // batch axis first, -1
}

var _ Layer = (*InputLayer)(nil)

// Input returns a symbolic tensor for model inputs of the given per-sample shape, as
// keras.Input(shape=...): Input(28, 28, 1) stands for batches of shape (None, 28, 28, 1).
// Layers are called on it with Apply, and NewModel makes a model from it. Its layer is an
// InputLayer named "input_1", "input_2", … in a session.
func Input(shape ...int) *Tensor {
	return InputNamed(uniqueNameFrom1("input"), shape...)
}

// NewInputLayer returns an InputLayer for inputs of the given per-sample shape, as
// keras.layers.InputLayer(input_shape=shape): added first to a Sequential, it declares the
// model's input shape so that the model is built at once.
func NewInputLayer(shape ...int) *InputLayer {
	return Input(shape...).sym.node.layer.(*InputLayer)
}

// InputShape returns the per-sample input shape.
func (l *InputLayer) InputShape() []int { return cloneShape(l.shape[1:]) }

// InputNamed is Input with the InputLayer's name given.
func InputNamed(name string, shape ...int) *Tensor {
	for _, d := range shape {
		if d < 1 && d != -1 {
			panicf("Input", [][]int{shape}, "dimensions must be positive (or -1 for unknown)")
		}
	}
	full := append([]int{-1}, shape...)
	l := &InputLayer{name: name, shape: full}
	return addNode(l, nil, full)
}

// Name returns the layer's name.
func (l *InputLayer) Name() string { return l.name }

// ClassName returns "InputLayer".
func (l *InputLayer) ClassName() string { return "InputLayer" }

// Build does nothing: an InputLayer has no weights.
func (l *InputLayer) Build(inputShape []int) {}

// Call returns x.
func (l *InputLayer) Call(x *Tensor, training bool) *Tensor { return x }

// OutputShape returns the declared shape, with the batch axis of inputShape when known.
func (l *InputLayer) OutputShape(inputShape []int) []int {
	s := cloneShape(l.shape)
	if len(inputShape) > 0 {
		s[0] = inputShape[0]
	}
	return s
}

// Weights returns nil: an InputLayer has no weights.
func (l *InputLayer) Weights() []*Tensor { return nil }

// Apply calls layer on xs, as calling a Keras layer does: layer(x), or a merge layer
// (MergeLayer: Add, Concatenate) on several inputs. On symbolic tensors (Input, or another
// Apply) it builds the layer for their shapes, records the call as a node of the graph and
// returns the symbolic output, from which NewModel makes a model. On tensors with data it
// builds the layer if needed and returns Call's result. Calling one layer at several nodes
// shares its weights.
func Apply(layer Layer, xs ...*Tensor) *Tensor {
	if layer == nil {
		panicf("Apply", nil, "layer is nil")
	}
	if len(xs) == 0 {
		panicf("Apply", nil, "layer %q needs at least one input", layer.Name())
	}
	sym := 0
	shapes := make([][]int, len(xs))
	for i, x := range xs {
		if x == nil {
			panicf("Apply", nil, "input %d of layer %q is nil", i, layer.Name())
		}
		if x.sym != nil {
			sym++
		}
		shapes[i] = x.shape
	}
	if sym != 0 && sym != len(xs) {
		panicf("Apply", shapes, "layer %q got both symbolic tensors (Input, Apply) and tensors with data", layer.Name())
	}
	ml, merge := layer.(MergeLayer)
	if len(xs) > 1 && !merge {
		panicf("Apply", shapes, "layer %q (%s) takes one input, got %d; merge several with a MergeLayer such as layers.Add",
			layer.Name(), layer.ClassName(), len(xs))
	}
	var out []int
	InLayer(layer.Name(), func() {
		if merge {
			if layer.Weights() == nil {
				ml.BuildMany(shapes)
			}
			if sym != 0 {
				out = ml.OutputShapeMany(shapes)
			}
			return
		}
		if layer.Weights() == nil {
			layer.Build(shapes[0])
		}
		if sym != 0 {
			out = layer.OutputShape(shapes[0])
		}
	})
	if sym == 0 {
		var y *Tensor
		InLayer(layer.Name(), func() {
			if merge {
				y = ml.CallMany(xs, false)
			} else {
				y = layer.Call(xs[0], false)
			}
		})
		return y
	}
	return addNode(layer, append([]*Tensor(nil), xs...), out)
}

// LayerOutput returns the symbolic output of l, as Keras's layer.output: the output of its
// only call on symbolic tensors. Use it to cut a feature extractor out of a model,
// NewModel(base.Inputs(), []*Tensor{LayerOutput(base.GetLayer("flatten"))}), or to graft a
// new head on it. It panics if l was never called, or was called several times
// (LayerOutputAt picks one call).
func LayerOutput(l Layer) *Tensor {
	ns := nodesOf(l)
	if len(ns) != 1 {
		if len(ns) == 0 {
			panicf("LayerOutput", nil, "layer %q was never called on symbolic tensors (Input, Apply)", l.Name())
		}
		panicf("LayerOutput", nil, "layer %q was called %d times: pick a call with LayerOutputAt", l.Name(), len(ns))
	}
	return ns[0].output
}

// LayerOutputAt returns the symbolic output of the call node of l (0 for the first call),
// as Keras's layer.get_output_at(node).
func LayerOutputAt(l Layer, node int) *Tensor {
	ns := nodesOf(l)
	if node < 0 || node >= len(ns) {
		panicf("LayerOutputAt", nil, "layer %q has %d calls on symbolic tensors, no call %d", l.Name(), len(ns), node)
	}
	return ns[node].output
}

// uniqueNameFrom1 returns prefix_1, prefix_2, … (Keras's numbering of Input layers, which
// starts at 1), counting with UniqueName's counters.
func uniqueNameFrom1(prefix string) string {
	namesMu.Lock()
	defer namesMu.Unlock()
	n := names[prefix] + 1
	names[prefix] = n
	return fmt.Sprintf("%s_%d", prefix, n)
}
