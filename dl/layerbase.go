package dl

// LayerBase is what a layer type written in a notebook cell embeds to become a Keras-style
// custom layer, as a Python class derives from tf.keras.layers.Layer. It keeps the layer's
// name, weights, extra losses and trainable flag, and provides every Layer method but Call:
//
//	type Scale struct {
//		dl.LayerBase
//		w *dl.Tensor
//	}
//
//	func NewScale() *Scale {
//		l := &Scale{}
//		l.Init(l, "Scale") // as super().__init__(): names the layer "scale", "scale_1", …
//		return l
//	}
//
//	func (l *Scale) Build(inputShape []int) {
//		l.w = l.AddWeight("w", []int{inputShape[len(inputShape)-1]}, dl.GetInitializer("ones"), true)
//	}
//
//	func (l *Scale) Call(x *dl.Tensor, training bool) *dl.Tensor {
//		l.BuildOnce(x.Shape()) // only needed when the layer is called outside a model
//		return x.Mul(l.w)
//	}
//
// What the cell type must write: a constructor that calls Init with the layer itself, and
// Call. It usually writes Build (creating weights with AddWeight and losses with AddLoss);
// the default Build creates nothing. It may write OutputShape (the default runs Call on a
// batch of one zero sample to find out) and Config (extend LayerBase.Config's map with the
// constructor's arguments, as get_config extends super().get_config()).
//
// What LayerBase provides: Name, ClassName, Weights (trainable ones first), TrainableWeights,
// NonTrainableWeights, Losses (dl.LossLayer), Trainable and SetTrainable
// (dl.TrainableLayer), Config (dl.ConfigLayer), Built and BuildOnce.
//
// Why Init takes the layer itself: a method of LayerBase cannot call the cell type's own
// methods through the embedding (Go has no virtual methods, and neither has the
// interpreter), so BuildOnce and the default OutputShape call Build and Call through the
// layer given to Init.
//
// A model builds each layer once, before its first Call. A layer called directly (inside
// a subclassed model's Call, or on a tensor in a cell) builds itself if its Call starts
// with BuildOnce. Built reports true once Build created a weight or a loss, or BuildOnce
// ran, so a layer built by a model is not built again by BuildOnce.
//
// In a notebook (yaegi v0.16.1), a cell value reaches compiled code wrapped, and two
// wrappings go wrong: a constructor's result passed straight to compiled code,
// m.Add(NewScale()), fails with "reflect: Call using *struct …", and values wrapped in a loop
// body all call the last one's methods. Both work when the constructor returns dl.Layer
// (the wrapping then happens inside it), or when the value is passed as l.Layer().
//
// LayerBase's methods have value receivers and share their state through a pointer that
// Init sets, so a copy of a LayerBase is the same layer.
type LayerBase struct {
	s *layerState
}

// layerState is a LayerBase's shared state.
type layerState struct {
	self      Layer
	class     string
	name      string
	weights   []*Tensor
	declared  []bool // whether weights[i] was added as trainable
	losses    []func() *Tensor
	built     bool
	trainable bool
}

// Init makes b the base of the layer self, of the class name class (as ClassName returns
// it, such as "SimpleConvolutionLayer"): the layer is named after the class in Keras's way,
// "simple_convolution_layer", then "simple_convolution_layer_1", … (dl.UniqueName of
// dl.SnakeCase). Call it once, in the layer's constructor, with the layer itself:
// l.Init(l, "SimpleConvolutionLayer").
func (b *LayerBase) Init(self Layer, class string) {
	if self == nil || class == "" {
		panicf("LayerBase.Init", nil, "needs the layer itself and its class name, as l.Init(l, \"MyLayer\")")
	}
	b.s = &layerState{self: self, class: class, name: UniqueName(SnakeCase(class)), trainable: true}
}

// state returns b's state, or panics telling the user to call Init.
func (b LayerBase) state(op string) *layerState {
	if b.s == nil {
		panicf("LayerBase."+op, nil, "the layer was not initialized: its constructor must call l.Init(l, \"ClassName\") first, as a Keras layer calls super().__init__()")
	}
	return b.s
}

// Layer returns the layer given to Init: the cell type's value as compiled code sees it.
// Pass it where a dl.Layer is wanted when the cell's value itself would be passed wrongly
// by the interpreter (see LayerBase): a layer made in a loop body, m.Add(c.Layer()), or a
// constructor's result passed on directly, m.Add(NewConv(8).Layer()).
func (b LayerBase) Layer() Layer { return b.state("Layer").self }

// Name returns the layer's unique name, such as "simple_convolution_layer".
func (b LayerBase) Name() string { return b.state("Name").name }

// SetName renames the layer, as Keras's name= argument does. Call it before Build: the
// weights' names start with the layer's name.
func (b LayerBase) SetName(name string) { b.state("SetName").name = name }

// ClassName returns the class name given to Init.
func (b LayerBase) ClassName() string { return b.state("ClassName").class }

// Build creates nothing: the default for layers without weights. A layer with weights
// declares its own Build, which creates them with AddWeight.
func (b LayerBase) Build(inputShape []int) { b.state("Build").built = true }

// Built reports whether the layer has been built: Build created a weight or a loss, or
// BuildOnce ran.
func (b LayerBase) Built() bool { return b.state("Built").built }

// BuildOnce builds the layer for inputs of inputShape (batch axis first, -1 when unknown)
// unless it is built already, as a Keras layer does on its first call. A layer that may be
// called outside a model starts its Call with l.BuildOnce(x.Shape()).
func (b LayerBase) BuildOnce(inputShape []int) {
	s := b.state("BuildOnce")
	if s.built {
		return
	}
	InLayer(s.name, func() { s.self.Build(cloneShape(inputShape)) })
	s.built = true
}

// OutputShape returns the shape of the layer's output for inputs of inputShape (batch
// axis first, -1 when unknown): by default it builds the layer if needed and runs Call on
// one sample of zeros, without recording gradients. A layer whose Call is expensive, or
// fails on zeros, declares its own OutputShape.
func (b LayerBase) OutputShape(inputShape []int) []int {
	s := b.state("OutputShape")
	b.BuildOnce(inputShape)
	if len(inputShape) == 0 {
		panicf("OutputShape", [][]int{inputShape}, "layer %q needs inputs with a batch axis", s.name)
	}
	probe := cloneShape(inputShape)
	probe[0] = 1
	for i, d := range probe {
		if d < 0 {
			panicf("OutputShape", [][]int{inputShape}, "layer %q cannot infer its output shape when dimension %d is unknown; declare an OutputShape method", s.name, i)
		}
	}
	var y *Tensor
	NoGrad(func() { InLayer(s.name, func() { y = s.self.Call(Zeros(probe...), false) }) })
	out := cloneShape(y.Shape())
	if len(out) > 0 {
		out[0] = inputShape[0]
	}
	return out
}

// AddWeight creates a float32 variable of shape, filled by init (nil means glorot_uniform,
// the default of Keras's add_weight), owned by the layer and named "layer_name/name", as
// Keras's add_weight(name, shape, initializer, trainable). A weight added as not trainable
// (a running statistic) is never updated by optimizers, even when the layer is unfrozen.
// Call it from Build. The initializer may be one of dl/layers' (layers.GlorotUniform) or
// one found by its Keras name: dl.GetInitializer("random_normal").
func (b LayerBase) AddWeight(name string, shape []int, init Initializer, trainable bool) *Tensor {
	s := b.state("AddWeight")
	if init == nil {
		init = GetInitializer("glorot_uniform")
	}
	w := Zeros(shape...)
	init.Initialize(w)
	v := Variable(w, s.name+"/"+name)
	v.trainable = trainable && s.trainable
	s.weights = append(s.weights, v)
	s.declared = append(s.declared, trainable)
	s.built = true
	return v
}

// AddLoss adds a loss of the layer's own, computed by fn whenever Losses is read, as Keras's
// add_loss(callable): typically a penalty on a weight, such as
// l.AddLoss(func() *dl.Tensor { return l.kernel.Square().Sum() }). fn must return a scalar
// computed with tensor operations, so that its gradient reaches the weights. Call it from
// Build: each call adds one more loss.
func (b LayerBase) AddLoss(fn func() *Tensor) {
	s := b.state("AddLoss")
	if fn == nil {
		panicf("AddLoss", nil, "layer %q: the loss function is nil", s.name)
	}
	s.losses = append(s.losses, fn)
	s.built = true
}

// Losses returns the layer's extra losses, each computed now by the function given to
// AddLoss (Keras's layer.losses), in the order they were added. It panics if one is not a
// scalar.
func (b LayerBase) Losses() []*Tensor {
	s := b.state("Losses")
	out := make([]*Tensor, len(s.losses))
	for i, fn := range s.losses {
		var l *Tensor
		InLayer(s.name, func() { l = fn() })
		if l == nil || l.Size() != 1 {
			var shapes [][]int
			if l != nil {
				shapes = [][]int{l.Shape()}
			}
			panicf("Losses", shapes, "layer %q: loss %d must be a scalar tensor", s.name, i)
		}
		out[i] = l
	}
	return out
}

// Weights returns the layer's variables, those added as trainable first, then the others, in
// the order AddWeight created them, as Keras's layer.weights; nil before Build.
func (b LayerBase) Weights() []*Tensor {
	s := b.state("Weights")
	var out []*Tensor
	for pass := 0; pass < 2; pass++ {
		for i, w := range s.weights {
			if s.declared[i] == (pass == 0) {
				out = append(out, w)
			}
		}
	}
	return out
}

// TrainableWeights returns the weights optimizers update: none while the layer is frozen.
func (b LayerBase) TrainableWeights() []*Tensor {
	var out []*Tensor
	for _, w := range b.Weights() {
		if w.trainable {
			out = append(out, w)
		}
	}
	return out
}

// NonTrainableWeights returns the weights optimizers leave alone.
func (b LayerBase) NonTrainableWeights() []*Tensor {
	var out []*Tensor
	for _, w := range b.Weights() {
		if !w.trainable {
			out = append(out, w)
		}
	}
	return out
}

// Trainable reports whether the layer's trainable weights are updated by training (true
// unless SetTrainable(false) froze it).
func (b LayerBase) Trainable() bool { return b.state("Trainable").trainable }

// SetTrainable freezes (false) or unfreezes (true) the layer, as Keras's
// layer.trainable = …: the weights added as trainable follow it; the others stay frozen.
// Weights added later follow it too.
func (b LayerBase) SetTrainable(on bool) {
	s := b.state("SetTrainable")
	s.trainable = on
	for i, w := range s.weights {
		w.trainable = on && s.declared[i]
	}
}

// Config returns the layer's base configuration, {"name", "trainable", "dtype"}, as Keras's
// Layer.get_config. A cell type's Config adds its constructor's arguments to this map.
func (b LayerBase) Config() map[string]any {
	s := b.state("Config")
	return map[string]any{"name": s.name, "trainable": s.trainable, "dtype": "float32"}
}
