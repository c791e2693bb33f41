package layers

import (
	"godl.dev/godl/accel"
	"godl.dev/godl/dl"
)

// MaxPooling2DLayer takes the maximum over windows of NHWC inputs, as
// keras.layers.MaxPooling2D. Make one with MaxPooling2D.
type MaxPooling2DLayer struct {
	base
	kh, kw  int
	sh, sw  int
	padding dl.Padding

	x      *dl.Tensor
	p      accel.Pool2DParams
	y, dx  outBuf
	gm     outBuf // dy masked where the output is 0 (mask mode)
	argmax []int32
	mask   bool // dl.ReLUMaskingPool
}

var (
	_ dl.Layer           = (*MaxPooling2DLayer)(nil)
	_ dl.ReLUMaskingPool = (*MaxPooling2DLayer)(nil)
)

// MaxPooling2D returns a max-pooling layer with a poolSize×poolSize window, as
// keras.layers.MaxPooling2D(pool_size). Options: Strides (default: the pool size), Same or
// Valid (the default), KernelSize for a non-square window, Name, InputShape.
func MaxPooling2D(poolSize int, opts ...Option) *MaxPooling2DLayer {
	c := newConfig(opts)
	l := &MaxPooling2DLayer{base: newBase("MaxPooling2D", c), kh: poolSize, kw: poolSize, padding: c.padding}
	if c.kernel != [2]int{} {
		l.kh, l.kw = c.kernel[0], c.kernel[1]
	}
	l.sh, l.sw = l.kh, l.kw
	if c.strides != [2]int{} {
		l.sh, l.sw = c.strides[0], c.strides[1]
	}
	if l.kh < 1 || l.kw < 1 || l.sh < 1 || l.sw < 1 {
		panic(&dl.Error{Op: "MaxPooling2D", Layer: l.name, Msg: "pool size and strides must be positive"})
	}
	return l
}

// ClassName returns "MaxPooling2D".
func (l *MaxPooling2DLayer) ClassName() string { return "MaxPooling2D" }

// Build checks the input rank; the layer has no weights.
func (l *MaxPooling2DLayer) Build(inputShape []int) {
	if len(inputShape) != 4 {
		shapeErr(l.name, "Build", [][]int{inputShape}, "MaxPooling2D needs inputs of shape (batch, height, width, channels)")
	}
}

func (l *MaxPooling2DLayer) geometry(shape []int) accel.Pool2DParams {
	var p accel.Pool2DParams
	dl.InLayer(l.name, func() { p = dl.PoolGeometry("MaxPooling2D", shape, l.kh, l.kw, l.sh, l.sw, l.padding) })
	return p
}

// OutputShape returns (batch, out height, out width, channels).
func (l *MaxPooling2DLayer) OutputShape(inputShape []int) []int {
	s := append([]int(nil), inputShape...)
	if len(s) == 4 && s[0] < 0 {
		s[0] = 1
	}
	p := l.geometry(s)
	return []int{inputShape[0], p.OutH, p.OutW, p.C}
}

// Call computes the pooling with tensor operations.
func (l *MaxPooling2DLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	var y *dl.Tensor
	dl.InLayer(l.name, func() { y = dl.MaxPool2D(x, l.kh, l.kw, l.sh, l.sw, l.padding) })
	return y
}

// Forward is the compiled forward pass (see dl.Kernel).
func (l *MaxPooling2DLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	if l.x == nil || !x.HasShape(l.p.N, l.p.H, l.p.W, l.p.C) {
		l.p = l.geometry(x.Shape())
	}
	l.x = x
	p := l.p
	y := l.y.get(p.N, p.OutH, p.OutW, p.C)
	if n := y.Size(); cap(l.argmax) < n {
		l.argmax = make([]int32, n)
	}
	l.argmax = l.argmax[:y.Size()]
	if p.N > 0 {
		accel.Default().MaxPool2D(p, x.Data(), y.Data(), l.argmax)
	}
	return y
}

// Backward routes each output gradient to the input that won its window.
func (l *MaxPooling2DLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	if !needDx {
		return nil
	}
	p := l.p
	dx := l.dx.get(p.N, p.H, p.W, p.C)
	g := dy.Data()
	if l.mask {
		gm := l.gm.get(p.N, p.OutH, p.OutW, p.C).Data()
		reluBackward(l.y.t.Data(), g, gm)
		g = gm
	}
	if p.N > 0 {
		accel.Default().MaxPool2DBackward(p, g, l.argmax, dx.Data())
	}
	return dx
}

// SetMaskByOutput makes Backward zero dy where the pooled output is 0, applying the
// derivative of a ReLU before the pooling (see dl.ReLUMaskingPool).
func (l *MaxPooling2DLayer) SetMaskByOutput(on bool) { l.mask = on }
