package dl

// Tracing a subclassed model's Call into a graph, as tf.function traces a Keras model's
// call: during the first training step, each layer held by the body's fields is replaced by
// a tracer that records its inputs and output, then put back. If every tensor passed to a
// layer was the model's input or another layer's output (no tensor operations between
// layers, no layer held out of reach), the calls form a graph that runs on the layers'
// compiled kernels like a functional model; otherwise the model keeps training through
// Call and autodiff. The traced step itself is an ordinary step through Call.

import (
	"reflect"
	"unsafe"
)

// trace records layer calls: values[0] is the body's input, values[i+1] the output of
// calls[i].
type trace struct {
	index map[*Tensor]int
	calls []tracedCall
	ok    bool
}

type tracedCall struct {
	layer Layer
	ins   []int // value indices
	shape []int // output shape, batch axis -1
}

func (t *trace) record(l Layer, xs []*Tensor, y *Tensor) {
	if !t.ok {
		return
	}
	c := tracedCall{layer: l}
	for _, x := range xs {
		k, found := t.index[x]
		if !found { // computed by something else than a traced layer
			t.ok = false
			return
		}
		c.ins = append(c.ins, k)
	}
	if _, dup := t.index[y]; dup || y == nil || len(y.shape) == 0 { // an identity: ambiguous
		t.ok = false
		return
	}
	c.shape = append([]int{-1}, y.shape[1:]...)
	t.calls = append(t.calls, c)
	t.index[y] = len(t.calls)
}

// tracer stands in for a layer during a traced call.
type tracer struct {
	Layer
	t *trace
}

func (p *tracer) Call(x *Tensor, training bool) *Tensor {
	y := p.Layer.Call(x, training)
	p.t.record(p.Layer, []*Tensor{x}, y)
	return y
}

// mergeTracer stands in for a MergeLayer.
type mergeTracer struct {
	tracer
	ml MergeLayer
}

func (p *mergeTracer) BuildMany(s [][]int) { p.ml.BuildMany(s) }

func (p *mergeTracer) OutputShapeMany(s [][]int) []int { return p.ml.OutputShapeMany(s) }

func (p *mergeTracer) CallMany(xs []*Tensor, training bool) *Tensor {
	y := p.ml.CallMany(xs, training)
	p.t.record(p.Layer, xs, y)
	return y
}

// traceCall runs the body on x in training mode with tracers in place of its layers, and
// sets s.graph when the calls form a graph from x to the result.
func (s *subclass) traceCall(x *Tensor) *Tensor {
	t := &trace{index: map[*Tensor]int{x: 0}, ok: true}
	restore, swapped := swapLayers(s.body, func(l Layer) Layer {
		if ml, ok := l.(MergeLayer); ok {
			return &mergeTracer{tracer: tracer{Layer: l, t: t}, ml: ml}
		}
		return &tracer{Layer: l, t: t}
	})
	y := func() *Tensor {
		defer restore()
		return s.body.Call(x, true)
	}()
	if !swapped || !t.ok || y == nil {
		return y
	}
	out, found := t.index[y]
	if !found || out == 0 {
		return y
	}
	s.graph = t.model(s.inShape, out)
	return y
}

// model returns the traced calls leading to value out as a functional model, whose nodes
// are private to it (not recorded as calls of the layers).
func (t *trace) model(in []int, out int) *Model {
	il := &InputLayer{name: "input", shape: append([]int{-1}, in...)}
	vals := []*Tensor{privateNode(il, nil, il.shape)}
	for _, c := range t.calls {
		ins := make([]*Tensor, len(c.ins))
		for i, k := range c.ins {
			ins[i] = vals[k]
		}
		vals = append(vals, privateNode(c.layer, ins, c.shape))
	}
	g := &Model{inputs: vals[:1], outputs: []*Tensor{vals[out]}}
	g.self = g
	g.mapGraph()
	return g
}

// privateNode returns the output of a graph node of l that is not among l's recorded calls.
func privateNode(l Layer, inputs []*Tensor, shape []int) *Tensor {
	n := &graphNode{layer: l, inputs: inputs}
	n.output = &Tensor{dtype: Float32, shape: cloneShape(shape), sym: &symbol{node: n}}
	return n.output
}

// useGraph gives r the traced graph's schedule.
func (s *subclass) useGraph(m *Model, r *runner) {
	s.graph.modelCore = modelCore{self: s.graph, name: m.name, optimizer: m.optimizer, loss: m.loss, metrics: m.metrics}
	s.graph.addSchedule(r)
}

// swapLayers replaces each layer held in an interface-typed field (or slice element) of
// body by wrap(layer), and returns the function that puts them back and whether any was
// replaced. Fields are reached as discoverLayers reaches them.
func swapLayers(body any, wrap func(Layer) Layer) (restore func(), swapped bool) {
	var undo []func()
	restore = func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
		undo = nil
	}
	defer func() {
		if r := recover(); r != nil { // a field that cannot be set: trace nothing
			restore()
			undo, swapped = nil, false
		}
	}()
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if depth > 3 || !v.IsValid() {
			return
		}
		switch v.Kind() {
		case reflect.Interface:
			if v.IsNil() {
				return
			}
			if depth > 0 && v.CanSet() && v.CanInterface() {
				if l, ok := v.Interface().(Layer); ok {
					p := reflect.ValueOf(wrap(l))
					if p.Type().AssignableTo(v.Type()) {
						old := reflect.New(v.Type()).Elem()
						old.Set(v)
						v.Set(p)
						undo = append(undo, func() { v.Set(old) })
					}
					return
				}
			}
			walk(v.Elem(), depth)
		case reflect.Pointer:
			if v.IsNil() || v.Type().Implements(layerType) && depth > 0 {
				return
			}
			walk(v.Elem(), depth)
		case reflect.Struct:
			if v.Type() == reflectValueType && v.CanInterface() {
				walk(v.Interface().(reflect.Value), depth)
				return
			}
			for i := 0; i < v.NumField(); i++ {
				f := v.Field(i)
				if !f.CanSet() {
					if !f.CanAddr() {
						if v.Type().Field(i).Name == "IValue" && f.CanInterface() {
							walk(f, depth) // the interpreter's wrapper of a cell's value
						}
						continue
					}
					f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
				}
				walk(f, depth+1)
			}
		case reflect.Slice, reflect.Array:
			if k := v.Type().Elem().Kind(); k != reflect.Interface && k != reflect.Pointer && k != reflect.Struct {
				return
			}
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), depth+1)
			}
		}
	}
	walk(reflect.ValueOf(body), 0)
	return restore, len(undo) > 0
}

// maxAbsDiff returns the largest difference between the elements of two float tensors of
// one size.
func maxAbsDiff(a, b *Tensor) float64 {
	x, y := a.floats("compare"), b.floats("compare")
	var d float64
	for i := range x {
		d = max(d, float64(abs32(x[i]-y[i])))
	}
	return d
}

// maxAbs returns the largest magnitude among t's elements.
func maxAbs(t *Tensor) float64 {
	var m float64
	for _, v := range t.floats("compare") {
		m = max(m, float64(abs32(v)))
	}
	return m
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}
