package layers

import (
	"godl.dev/godl/accel"
	"godl.dev/godl/dl"
)

// Conv2DLayer is a 2-D convolution over NHWC inputs with an HWIO kernel, as
// keras.layers.Conv2D. Make one with Conv2D.
type Conv2DLayer struct {
	weighted
	filters int
	kh, kw  int
	sh, sw  int
	padding dl.Padding

	skipReLU  bool // dl.ReLUProducer: the next layer applied the ReLU's derivative
	x         *dl.Tensor
	p         accel.Conv2DParams
	y, dz, dx outBuf
}

var (
	_ dl.Layer         = (*Conv2DLayer)(nil)
	_ dl.SoftmaxKernel = (*Conv2DLayer)(nil)
	_ dl.ReLUProducer  = (*Conv2DLayer)(nil)
)

// Conv2D returns a convolution layer with the given number of filters and a square
// kernelSize×kernelSize window, as keras.layers.Conv2D(filters, kernel_size). Options: Same
// or Valid (the default), Strides (default 1, 1), KernelSize for a non-square window, an
// Activation, Name, InputShape, KernelInitializer, BiasInitializer, UseBias.
func Conv2D(filters, kernelSize int, opts ...Option) *Conv2DLayer {
	c := newConfig(opts)
	l := &Conv2DLayer{weighted: newWeighted("Conv2D", c), filters: filters, kh: kernelSize, kw: kernelSize,
		sh: 1, sw: 1, padding: c.padding}
	if c.kernel != [2]int{} {
		l.kh, l.kw = c.kernel[0], c.kernel[1]
	}
	if c.strides != [2]int{} {
		l.sh, l.sw = c.strides[0], c.strides[1]
	}
	if filters < 1 || l.kh < 1 || l.kw < 1 || l.sh < 1 || l.sw < 1 {
		panic(&dl.Error{Op: "Conv2D", Layer: l.name, Msg: "filters, kernel size and strides must be positive"})
	}
	return l
}

// ClassName returns "Conv2D".
func (l *Conv2DLayer) ClassName() string { return "Conv2D" }

// Kernel returns the [kh, kw, in channels, filters] weights (nil before Build).
func (l *Conv2DLayer) Kernel() *dl.Tensor { return l.kernel }

// Bias returns the [filters] bias (nil before Build or without a bias).
func (l *Conv2DLayer) Bias() *dl.Tensor { return l.bias }

// Build creates the kernel and bias for NHWC inputs of inputShape.
func (l *Conv2DLayer) Build(inputShape []int) {
	if len(inputShape) != 4 || inputShape[3] < 1 {
		shapeErr(l.name, "Build", [][]int{inputShape}, "Conv2D needs inputs of shape (batch, height, width, channels)")
	}
	l.buildWeights(l.kh, l.kw, inputShape[3], l.filters)
}

func (l *Conv2DLayer) geometry(op string, shape []int) accel.Conv2DParams {
	var p accel.Conv2DParams
	dl.InLayer(l.name, func() {
		p = dl.ConvGeometry(op, shape, l.kh, l.kw, l.filters, l.sh, l.sw, l.padding)
	})
	return p
}

// OutputShape returns (batch, out height, out width, filters).
func (l *Conv2DLayer) OutputShape(inputShape []int) []int {
	s := append([]int(nil), inputShape...)
	if len(s) == 4 && s[0] < 0 {
		s[0] = 1
	}
	p := l.geometry("Conv2D", s)
	return []int{inputShape[0], p.OutH, p.OutW, l.filters}
}

func (l *Conv2DLayer) checkInput(x *dl.Tensor) {
	if x.Rank() != 4 || x.Dim(3) != l.kernel.Dim(2) {
		shapeErr(l.name, "Conv2D", [][]int{{-1, -1, -1, l.kernel.Dim(2)}, x.Shape()},
			"expected NHWC inputs of the first shape, got the second")
	}
}

// Call computes activation(conv(x, kernel) + bias) with tensor operations. An unbuilt layer
// builds itself for x first, as a Keras layer does when first called.
func (l *Conv2DLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	if l.kernel == nil {
		l.Build(x.Shape())
	}
	l.checkInput(x)
	var y *dl.Tensor
	dl.InLayer(l.name, func() { y = dl.Conv2D(x, l.kernel, l.sh, l.sw, l.padding) })
	if l.bias != nil {
		y = y.Add(l.bias)
	}
	return l.activation.Call(y)
}

// Forward is the compiled forward pass (see dl.Kernel).
func (l *Conv2DLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	y := l.forward(x, l.activation.epilogue())
	if l.activation == Softmax {
		v := y.Data()
		dl.SoftmaxRows(len(v)/l.filters, l.filters, v, v)
	}
	return y
}

// ForwardLogits is Forward without a final softmax.
func (l *Conv2DLayer) ForwardLogits(x *dl.Tensor) *dl.Tensor { return l.forward(x, accel.Linear) }

// EndsInSoftmax reports whether the activation is Softmax.
func (l *Conv2DLayer) EndsInSoftmax() bool { return l.activation == Softmax }

func (l *Conv2DLayer) forward(x *dl.Tensor, act accel.Activation) *dl.Tensor {
	l.checkInput(x)
	if l.x == nil || !x.HasShape(l.p.N, l.p.H, l.p.W, l.p.C) {
		l.p = l.geometry("Conv2D", x.Shape())
	}
	l.x = x
	p := l.p
	y := l.y.get(p.N, p.OutH, p.OutW, p.F)
	var b []float32
	if l.bias != nil {
		b = l.bias.Data()
	}
	if p.N > 0 {
		accel.Default().Conv2D(p, x.Data(), l.kernel.Data(), b, act, y.Data())
	}
	return y
}

// Backward is the compiled backward pass (see dl.Kernel).
func (l *Conv2DLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	g := dy.Data()
	if l.activation != Linear && !(l.skipReLU && l.activation == ReLU) {
		dz := l.dz.get(l.p.N, l.p.OutH, l.p.OutW, l.p.F).Data()
		l.activation.backward(l.y.t.Data(), g, dz, l.filters)
		g = dz
	}
	return l.backwardFrom(g, needDx)
}

// EndsInReLU reports whether the activation is ReLU (see dl.ReLUProducer).
func (l *Conv2DLayer) EndsInReLU() bool { return l.activation == ReLU }

// SetSkipReLUBackward makes Backward treat dy as the gradient before the ReLU (see
// dl.ReLUProducer).
func (l *Conv2DLayer) SetSkipReLUBackward(on bool) { l.skipReLU = on }

// BackwardLogits is Backward given the gradient with respect to the pre-activation output.
func (l *Conv2DLayer) BackwardLogits(dLogits *dl.Tensor, needDx bool) *dl.Tensor {
	return l.backwardFrom(dLogits.Data(), needDx)
}

func (l *Conv2DLayer) backwardFrom(g []float32, needDx bool) *dl.Tensor {
	p := l.p
	be := accel.Default()
	var db []float32
	if l.bias != nil {
		db = l.dBias.Data()
	}
	if p.N > 0 {
		be.Conv2DBackwardFilter(p, l.x.Data(), g, l.dKernel.Data(), db)
	} else {
		clear(l.dKernel.Data())
		clear(db)
	}
	l.kernel.SetGrad(l.dKernel)
	if l.bias != nil {
		l.bias.SetGrad(l.dBias)
	}
	if !needDx {
		return nil
	}
	dx := l.dx.get(p.N, p.H, p.W, p.C)
	if p.N > 0 {
		be.Conv2DBackwardData(p, g, l.kernel.Data(), dx.Data())
	}
	return dx
}
