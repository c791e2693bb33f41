package dl

// Subclassed models, as Keras's class LeNet5(Model): a type whose fields hold layers and
// whose Call method runs them. Subclass wraps it into a Model that trains, evaluates,
// predicts and summarises like any other, through autodiff over Call.

import (
	"reflect"
	"unsafe"
)

// Caller is the body of a subclassed model: Call computes the model's output for the batch
// x with the layers the type holds (calling each layer's Call, which builds an unbuilt
// built-in layer on first use). training is true during Fit.
type Caller interface {
	Call(x *Tensor, training bool) *Tensor
}

// subclass is a subclassed model's body and what is known of it.
type subclass struct {
	class    string
	body     Caller
	layers   []Layer // discovered in the body's fields, in field order
	inShape  []int   // per-sample input shape, nil until built
	outShape []int   // output shape, batch axis first

	// The first training step traces Call (model_trace.go): when every tensor it passes
	// between layers comes from a layer call, graph holds the same computation as a
	// functional model, whose kernels the next steps run. inferOK is 1 once the graph gave
	// Call's inference result on a batch, -1 if it did not (inference then runs Call).
	traced  bool
	graph   *Model
	inferOK int
}

// Subclass returns a model running body, as an instance of a Keras Model subclass: class is
// the class name (summaries print it, and the model is named after it in snake case, so
// "LeNet5" gives "le_net5", then "le_net5_1", …). The model's layers are those held by
// body's fields (a Layer, or a slice or array of them), in field order, each once.
//
// In a notebook cell:
//
//	type LeNet5 struct {
//		conv1, conv2, pool, flatten, dense1, dense2, dense3 dl.Layer
//	}
//	func (m *LeNet5) Call(x *dl.Tensor, training bool) *dl.Tensor {
//		x = m.pool.Call(m.conv1.Call(x, training), training)
//		x = m.pool.Call(m.conv2.Call(x, training), training)
//		x = m.flatten.Call(x, training)
//		return m.dense3.Call(m.dense2.Call(m.dense1.Call(x, training), training), training)
//	}
//	model := dl.Subclass("LeNet5", &LeNet5{conv1: layers.Conv2D(6, 5, layers.Same, layers.ReLU), …})
//
// Pass body as a variable or a composite literal: yaegi v0.16.1 does not wrap the result of
// a function call passed straight to compiled code (Subclass("LeNet5", NewLeNet5(10)) fails
// with "reflect: Call using *struct"; net := NewLeNet5(10) first works).
//
// The model is built at its first Fit, Predict or Call, or by Build([]int{-1, 28, 28, 1}),
// by calling body on one sample of zeros. A subclassed model has no symbolic graph: its
// summary shows "multiple" for shapes. Fit's first step runs Call with autodiff and traces
// it (as tf.function does): when every tensor Call passes to a layer is the input or a
// layer's output, and every layer sits in an interface-typed field (dl.Layer) or slice,
// the following steps run that graph on the layers' compiled kernels, as fast as the
// functional model. Otherwise (tensor operations between layers, layers in fields of a
// concrete type) every step runs Call with autodiff, several times slower. Inference uses
// the traced graph once it has matched Call's result on a batch.
func Subclass(class string, body Caller) *Model {
	if body == nil {
		panicf("Subclass", nil, "the model body is nil")
	}
	if class == "" {
		panicf("Subclass", nil, "the class name is empty: give the Go type's name, such as \"LeNet5\"")
	}
	m := &Model{sub: &subclass{class: class, body: body}}
	m.self = m
	m.name = UniqueName(SnakeCase(class))
	m.sub.layers = discoverLayers(body)
	return m
}

// layerList returns the body's layers; it looks again when none were found at first (a
// body whose layers are made in its first Call).
func (s *subclass) layerList() []Layer {
	if len(s.layers) == 0 {
		s.layers = discoverLayers(s.body)
	}
	return append([]Layer(nil), s.layers...)
}

// build builds the model for samples of shape in by calling the body on a batch of one
// sample of zeros, which builds every layer it calls.
func (s *subclass) build(m *Model, in []int) {
	if s.inShape != nil {
		if !sameShape(s.inShape, in) {
			panicf("Model.Build", [][]int{append([]int{-1}, s.inShape...), append([]int{-1}, in...)},
				"model %q was built for another input shape", m.name)
		}
		return
	}
	for _, d := range in {
		if d < 1 {
			panicf("Model.Build", [][]int{append([]int{-1}, in...)}, "model %q needs a known input shape to build", m.name)
		}
	}
	var y *Tensor
	NoGrad(func() { y = s.body.Call(Zeros(append([]int{1}, in...)...), false) })
	if y == nil {
		panicf("Model.Build", nil, "model %q: Call returned nil", m.name)
	}
	s.inShape = cloneShape(in)
	s.outShape = append([]int{-1}, y.shape[1:]...)
	s.layers = discoverLayers(s.body)
}

// call runs the body on x (building the model first).
func (s *subclass) call(m *Model, x *Tensor, training bool) *Tensor {
	s.build(m, x.shape[1:])
	return s.body.Call(x, training)
}

// runnerFor returns the runner of a subclassed model: batch buffers only.
func (s *subclass) runnerFor(m *Model) *runner {
	if m.run != nil && m.run.current(s.layers) {
		return m.run
	}
	m.run = newRunner(s.inShape, m.loss, m.Weights(), s.layers)
	if s.graph != nil {
		s.useGraph(m, m.run)
	}
	return m.run
}

// trainStep differentiates the loss of Call's output on the gathered batch: through the
// traced graph's kernels once there is one, else through Call, tracing it.
func (s *subclass) trainStep(m *Model, r *runner) (float64, *Tensor) {
	if r.graph != nil {
		s.graph.modelCore = modelCore{self: s.graph, name: m.name, optimizer: m.optimizer, loss: m.loss, metrics: m.metrics}
		return s.graph.trainStep(r)
	}
	for _, w := range r.vars {
		w.grad = nil
	}
	var pred, l *Tensor
	InLayer(m.name, func() {
		if s.traced {
			pred = s.body.Call(r.xb, true)
			return
		}
		s.traced = true
		pred = s.traceCall(r.xb)
		if s.graph != nil {
			s.useGraph(m, r) // from the next step on
		}
	})
	InLayer(m.loss.Name(), func() { l = m.loss.Compute(r.yb, pred) })
	loss := l.Item()
	if l.requiresGrad {
		l.Backward()
	}
	return r.endTrainStep(m.optimizer, s.layers, loss, r.vars, r.grads), pred
}

// inferStep runs Call in inference mode without recording gradients: through the traced
// graph once it has given Call's result on a batch.
func (s *subclass) inferStep(m *Model, r *runner) *Tensor {
	if r.graph != nil && s.inferOK >= 0 {
		s.graph.modelCore = modelCore{self: s.graph, name: m.name, optimizer: m.optimizer, loss: m.loss, metrics: m.metrics}
		y := s.graph.inferStep(r)
		if s.inferOK == 0 {
			var want *Tensor
			NoGrad(func() { InLayer(m.name, func() { want = s.body.Call(r.xb, false) }) })
			if !sameShape(want.shape, y.shape) || maxAbsDiff(want, y) > 1e-4*max(1, maxAbs(want)) {
				s.inferOK = -1
				return want
			}
			s.inferOK = 1
		}
		return y
	}
	var y *Tensor
	NoGrad(func() { InLayer(m.name, func() { y = s.body.Call(r.xb, false) }) })
	return y
}

var (
	layerType        = reflect.TypeOf((*Layer)(nil)).Elem()
	reflectValueType = reflect.TypeOf(reflect.Value{})
)

// discoverLayers returns the layers held by the fields of body (a pointer to a struct), in
// field order, each once (by name). A body declared in a notebook cell reaches compiled
// code wrapped by the interpreter: the wrapper's IValue field holds the cell's value, and
// its fields may be unexported, so they are read through unsafe.
func discoverLayers(body any) []Layer {
	v := reflect.ValueOf(body)
	var out []Layer
	seen := map[string]bool{}
	add := func(l Layer) {
		if l != nil && !seen[l.Name()] {
			seen[l.Name()] = true
			out = append(out, l)
		}
	}
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if depth > 3 || !v.IsValid() {
			return
		}
		if v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return
			}
			if depth > 0 && v.Type().Implements(layerType) && v.CanInterface() {
				if l, ok := v.Interface().(Layer); ok {
					add(l)
					return
				}
			}
			walk(v.Elem(), depth)
			return
		}
		switch v.Kind() {
		case reflect.Struct:
			if v.Type() == reflectValueType && v.CanInterface() {
				walk(v.Interface().(reflect.Value), depth) // an interpreter's boxed value
				return
			}
			if depth > 0 && v.CanInterface() {
				if l, ok := v.Interface().(Layer); ok {
					add(l)
					return
				}
			}
			t := v.Type()
			for i := 0; i < t.NumField(); i++ {
				f := v.Field(i)
				if !f.CanInterface() {
					if !f.CanAddr() {
						continue
					}
					f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
				}
				walk(f, depth+1)
			}
		case reflect.Slice, reflect.Array:
			switch v.Type().Elem().Kind() {
			case reflect.Interface, reflect.Pointer, reflect.Struct:
			default:
				return
			}
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i), depth+1)
			}
		}
	}
	walk(v, 0)
	return out
}
