package layers

import (
	"godl.dev/godl/dl"
)

// ZeroPadding2DLayer adds rows and columns of zeros around NHWC images, as
// keras.layers.ZeroPadding2D. Make one with ZeroPadding2D or ZeroPadding2DSides.
type ZeroPadding2DLayer struct {
	base
	top, bottom, left, right int

	in    [4]int
	y, dx outBuf
}

var (
	_ dl.Layer  = (*ZeroPadding2DLayer)(nil)
	_ dl.Kernel = (*ZeroPadding2DLayer)(nil)
)

// ZeroPadding2D returns a layer that adds pad rows of zeros above and below each image and
// pad columns left and right, as keras.layers.ZeroPadding2D(padding=pad). Options: Name,
// InputShape.
func ZeroPadding2D(pad int, opts ...Option) *ZeroPadding2DLayer {
	return ZeroPadding2DSides(pad, pad, pad, pad, opts...)
}

// ZeroPadding2DSides returns a zero-padding layer with its own padding on each side, as
// keras.layers.ZeroPadding2D(padding=((top, bottom), (left, right))).
func ZeroPadding2DSides(top, bottom, left, right int, opts ...Option) *ZeroPadding2DLayer {
	l := &ZeroPadding2DLayer{base: newBase("ZeroPadding2D", newConfig(opts)), top: top, bottom: bottom, left: left, right: right}
	if top < 0 || bottom < 0 || left < 0 || right < 0 {
		panic(&dl.Error{Op: "ZeroPadding2D", Layer: l.name, Msg: "padding must not be negative"})
	}
	return l
}

// ClassName returns "ZeroPadding2D".
func (l *ZeroPadding2DLayer) ClassName() string { return "ZeroPadding2D" }

// Padding returns the rows added above and below and the columns added left and right.
func (l *ZeroPadding2DLayer) Padding() (top, bottom, left, right int) {
	return l.top, l.bottom, l.left, l.right
}

// Build checks the input rank; the layer has no weights.
func (l *ZeroPadding2DLayer) Build(inputShape []int) {
	if len(inputShape) != 4 {
		shapeErr(l.name, "Build", [][]int{inputShape}, "ZeroPadding2D needs inputs of shape (batch, height, width, channels)")
	}
}

// OutputShape returns (batch, height + top + bottom, width + left + right, channels).
func (l *ZeroPadding2DLayer) OutputShape(inputShape []int) []int {
	if len(inputShape) != 4 {
		shapeErr(l.name, "ZeroPadding2D", [][]int{inputShape}, "needs inputs of shape (batch, height, width, channels)")
	}
	return []int{inputShape[0], inputShape[1] + l.top + l.bottom, inputShape[2] + l.left + l.right, inputShape[3]}
}

// Call pads x with tensor operations (concatenating zeros, so the gradient is the crop).
func (l *ZeroPadding2DLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	if x.Rank() != 4 {
		shapeErr(l.name, "ZeroPadding2D", [][]int{x.Shape()}, "needs inputs of shape (batch, height, width, channels)")
	}
	n, h, c := x.Dim(0), x.Dim(1), x.Dim(3)
	y := x
	if l.left+l.right > 0 {
		y = dl.Concat(2, dl.Zeros(n, h, l.left, c), y, dl.Zeros(n, h, l.right, c))
	}
	if l.top+l.bottom > 0 {
		w := y.Dim(2)
		y = dl.Concat(1, dl.Zeros(n, l.top, w, c), y, dl.Zeros(n, l.bottom, w, c))
	}
	return y
}

// Forward is the compiled forward pass (see dl.Kernel).
func (l *ZeroPadding2DLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	if x.Rank() != 4 {
		shapeErr(l.name, "ZeroPadding2D", [][]int{x.Shape()}, "needs inputs of shape (batch, height, width, channels)")
	}
	n, h, w, c := x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3)
	l.in = [4]int{n, h, w, c}
	oh, ow := h+l.top+l.bottom, w+l.left+l.right
	y := l.y.get(n, oh, ow, c)
	xv, yv := x.Data(), y.Data()
	clear(yv) // NOTE: the border could be cleared once per shape; a full clear keeps it simple and is a small part of a step
	row := w * c
	for i := 0; i < n; i++ {
		for r := 0; r < h; r++ {
			src := xv[(i*h+r)*row : (i*h+r+1)*row]
			dst := yv[((i*oh+r+l.top)*ow+l.left)*c:]
			copy(dst[:row], src)
		}
	}
	return y
}

// Backward crops dy back to the input's size.
func (l *ZeroPadding2DLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	if !needDx {
		return nil
	}
	n, h, w, c := l.in[0], l.in[1], l.in[2], l.in[3]
	oh, ow := h+l.top+l.bottom, w+l.left+l.right
	dx := l.dx.get(n, h, w, c)
	gv, dv := dy.Data(), dx.Data()
	row := w * c
	for i := 0; i < n; i++ {
		for r := 0; r < h; r++ {
			src := gv[((i*oh+r+l.top)*ow+l.left)*c:]
			copy(dv[(i*h+r)*row:(i*h+r+1)*row], src[:row])
		}
	}
	return dx
}
