package layers

import (
	"godl.dev/godl/accel"
	"godl.dev/godl/dl"
)

// AveragePooling2DLayer averages windows of NHWC inputs, as keras.layers.AveragePooling2D:
// with Same padding a window at the border is divided by the number of its cells inside the
// input. Make one with AveragePooling2D.
type AveragePooling2DLayer struct {
	pool2D
}

var (
	_ dl.Layer  = (*AveragePooling2DLayer)(nil)
	_ dl.Kernel = (*AveragePooling2DLayer)(nil)
)

// AveragePooling2D returns an average-pooling layer with a poolSize×poolSize window, as
// keras.layers.AveragePooling2D(pool_size). Options: Strides (default: the pool size), Same
// or Valid (the default), KernelSize for a non-square window, Name, InputShape.
func AveragePooling2D(poolSize int, opts ...Option) *AveragePooling2DLayer {
	return &AveragePooling2DLayer{pool2D: newPool2D("AveragePooling2D", poolSize, opts)}
}

// ClassName returns "AveragePooling2D".
func (l *AveragePooling2DLayer) ClassName() string { return "AveragePooling2D" }

// Call computes the pooling with tensor operations.
func (l *AveragePooling2DLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	var y *dl.Tensor
	dl.InLayer(l.name, func() { y = dl.AvgPool2D(x, l.kh, l.kw, l.sh, l.sw, l.padding) })
	return y
}

// Forward is the compiled forward pass (see dl.Kernel).
func (l *AveragePooling2DLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	p, y := l.forwardGeometry(x)
	if p.N > 0 {
		accel.Default().AvgPool2D(p, x.Data(), y.Data())
	}
	return y
}

// Backward spreads each output gradient evenly over its window's cells.
func (l *AveragePooling2DLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	if !needDx {
		return nil
	}
	p := l.p
	dx := l.dx.get(p.N, p.H, p.W, p.C)
	if p.N > 0 {
		accel.Default().AvgPool2DBackward(p, dy.Data(), dx.Data())
	} else {
		clear(dx.Data())
	}
	return dx
}

// GlobalAveragePooling2DLayer averages each channel over height and width, turning
// (batch, h, w, c) into (batch, c), as keras.layers.GlobalAveragePooling2D. Make one with
// GlobalAveragePooling2D.
type GlobalAveragePooling2DLayer struct {
	base
	in    [4]int
	y, dx outBuf
}

var (
	_ dl.Layer  = (*GlobalAveragePooling2DLayer)(nil)
	_ dl.Kernel = (*GlobalAveragePooling2DLayer)(nil)
)

// GlobalAveragePooling2D returns a global average-pooling layer (channels last). Options:
// Name, InputShape.
func GlobalAveragePooling2D(opts ...Option) *GlobalAveragePooling2DLayer {
	return &GlobalAveragePooling2DLayer{base: newBase("GlobalAveragePooling2D", newConfig(opts))}
}

// ClassName returns "GlobalAveragePooling2D".
func (l *GlobalAveragePooling2DLayer) ClassName() string { return "GlobalAveragePooling2D" }

// Build checks the input rank; the layer has no weights.
func (l *GlobalAveragePooling2DLayer) Build(inputShape []int) {
	if len(inputShape) != 4 {
		shapeErr(l.name, "Build", [][]int{inputShape}, "GlobalAveragePooling2D needs inputs of shape (batch, height, width, channels)")
	}
}

// OutputShape returns (batch, channels).
func (l *GlobalAveragePooling2DLayer) OutputShape(inputShape []int) []int {
	if len(inputShape) != 4 {
		shapeErr(l.name, "GlobalAveragePooling2D", [][]int{inputShape}, "needs inputs of shape (batch, height, width, channels)")
	}
	return []int{inputShape[0], inputShape[3]}
}

func (l *GlobalAveragePooling2DLayer) check(x *dl.Tensor) (n, hw, c int) {
	if x.Rank() != 4 {
		shapeErr(l.name, "GlobalAveragePooling2D", [][]int{x.Shape()}, "needs inputs of shape (batch, height, width, channels)")
	}
	return x.Dim(0), x.Dim(1) * x.Dim(2), x.Dim(3)
}

// Call averages with tensor operations.
func (l *GlobalAveragePooling2DLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	n, hw, c := l.check(x)
	if hw == 0 {
		shapeErr(l.name, "GlobalAveragePooling2D", [][]int{x.Shape()}, "cannot average an empty image")
	}
	return x.Reshape(n, hw, c).MeanAxis(1, false)
}

// Forward is the compiled forward pass (see dl.Kernel).
func (l *GlobalAveragePooling2DLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	n, hw, c := l.check(x)
	l.in = [4]int{n, x.Dim(1), x.Dim(2), c}
	y := l.y.get(n, c)
	xv, yv := x.Data(), y.Data()
	clear(yv)
	inv := 1 / float32(hw)
	for i := 0; i < n; i++ {
		yr := yv[i*c : (i+1)*c : (i+1)*c]
		for p := 0; p < hw; p++ {
			xr := xv[(i*hw+p)*c : (i*hw+p+1)*c : (i*hw+p+1)*c]
			for j, v := range xr {
				yr[j] += v
			}
		}
		for j := range yr {
			yr[j] *= inv
		}
	}
	return y
}

// Backward spreads each gradient evenly over the cells of its channel.
func (l *GlobalAveragePooling2DLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	if !needDx {
		return nil
	}
	n, h, w, c := l.in[0], l.in[1], l.in[2], l.in[3]
	hw := h * w
	dx := l.dx.get(n, h, w, c)
	gv, dv := dy.Data(), dx.Data()
	inv := 1 / float32(hw)
	for i := 0; i < n; i++ {
		gr := gv[i*c : (i+1)*c : (i+1)*c]
		for p := 0; p < hw; p++ {
			dr := dv[(i*hw+p)*c : (i*hw+p+1)*c : (i*hw+p+1)*c]
			for j, v := range gr {
				dr[j] = v * inv
			}
		}
	}
	return dx
}
