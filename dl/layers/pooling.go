package layers

import (
	"godl.dev/godl/accel"
	"godl.dev/godl/dl"
)

// pool2D is what MaxPooling2DLayer and AveragePooling2DLayer share: the window geometry
// and its options, the input-rank check, the output shape, the configuration and the
// compiled pass's buffers. The layers differ only in the pooling operation.
type pool2D struct {
	base
	class   string // Keras's class name, used in errors
	kh, kw  int
	sh, sw  int
	padding dl.Padding

	x     *dl.Tensor
	p     accel.Pool2DParams
	y, dx outBuf
}

// newPool2D reads the window of a pooling layer of the given class: poolSize×poolSize
// unless KernelSize says otherwise, strides defaulting to the window.
func newPool2D(class string, poolSize int, opts []Option) pool2D {
	c := newConfig(opts)
	l := pool2D{base: newBase(class, c), class: class, kh: poolSize, kw: poolSize, padding: c.padding}
	if c.kernel != [2]int{} {
		l.kh, l.kw = c.kernel[0], c.kernel[1]
	}
	l.sh, l.sw = l.kh, l.kw
	if c.strides != [2]int{} {
		l.sh, l.sw = c.strides[0], c.strides[1]
	}
	if l.kh < 1 || l.kw < 1 || l.sh < 1 || l.sw < 1 {
		panic(&dl.Error{Op: class, Layer: l.name, Msg: "pool size and strides must be positive"})
	}
	return l
}

// Build checks the input rank; the layer has no weights.
func (l *pool2D) Build(inputShape []int) {
	if len(inputShape) != 4 {
		shapeErr(l.name, "Build", [][]int{inputShape}, l.class+" needs inputs of shape (batch, height, width, channels)")
	}
}

func (l *pool2D) geometry(shape []int) accel.Pool2DParams {
	var p accel.Pool2DParams
	dl.InLayer(l.name, func() { p = dl.PoolGeometry(l.class, shape, l.kh, l.kw, l.sh, l.sw, l.padding) })
	return p
}

// OutputShape returns (batch, out height, out width, channels).
func (l *pool2D) OutputShape(inputShape []int) []int {
	s := append([]int(nil), inputShape...)
	if len(s) == 4 && s[0] < 0 {
		s[0] = 1
	}
	p := l.geometry(s)
	return []int{inputShape[0], p.OutH, p.OutW, p.C}
}

// forwardGeometry records the compiled pass's input x, recomputing the geometry when its
// shape changed, and returns the geometry with the output buffer sized for it.
func (l *pool2D) forwardGeometry(x *dl.Tensor) (accel.Pool2DParams, *dl.Tensor) {
	if l.x == nil || !x.HasShape(l.p.N, l.p.H, l.p.W, l.p.C) {
		l.p = l.geometry(x.Shape())
	}
	l.x = x
	p := l.p
	return p, l.y.get(p.N, p.OutH, p.OutW, p.C)
}

// MaxPooling2DLayer takes the maximum over windows of NHWC inputs, as
// keras.layers.MaxPooling2D. Make one with MaxPooling2D.
type MaxPooling2DLayer struct {
	pool2D
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
	return &MaxPooling2DLayer{pool2D: newPool2D("MaxPooling2D", poolSize, opts)}
}

// ClassName returns "MaxPooling2D".
func (l *MaxPooling2DLayer) ClassName() string { return "MaxPooling2D" }

// Call computes the pooling with tensor operations.
func (l *MaxPooling2DLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	var y *dl.Tensor
	dl.InLayer(l.name, func() { y = dl.MaxPool2D(x, l.kh, l.kw, l.sh, l.sw, l.padding) })
	return y
}

// Forward is the compiled forward pass (see dl.Kernel).
func (l *MaxPooling2DLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	p, y := l.forwardGeometry(x)
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
		accel.Default().ActivationBackward(accel.ReLU, l.y.t.Data(), g, gm)
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
