package dl

import (
	"math"
	"strings"

	"godl.dev/godl/accel"
	_ "godl.dev/godl/accel/cpu" // registers the default CPU backend
)

// Neural-network operations: convolution, pooling, softmax and cross-entropy, each with its
// gradient. The heavy lifting is done by the accel backend.

// backend returns the compute backend in use.
func backend() accel.Backend { return accel.Default() }

// Padding is Keras's padding mode of a convolution or pooling window: Same or Valid. The
// comparison ignores case, so "SAME" (tf.nn's spelling) works too.
type Padding string

// The padding modes.
const (
	Same  Padding = "same"  // output size ceil(in/stride); zeros around the input
	Valid Padding = "valid" // only windows that fit inside the input
)

func (p Padding) same(op string) bool {
	switch strings.ToLower(string(p)) {
	case "same":
		return true
	case "valid", "":
		return false
	}
	panicf(op, nil, "unknown padding %q (want \"same\" or \"valid\")", string(p))
	return false
}

// windowGeometry returns the output size and the leading padding of one spatial axis.
func windowGeometry(op string, shape []int, in, k, stride int, same bool) (out, pad int) {
	if stride < 1 || k < 1 {
		panicf(op, [][]int{shape}, "window %d and stride %d must be positive", k, stride)
	}
	if same {
		out = (in + stride - 1) / stride
		pad = max((out-1)*stride+k-in, 0) / 2
		return out, pad
	}
	if in < k {
		panicf(op, [][]int{shape}, "window %d is larger than the input (%d) with valid padding", k, in)
	}
	return (in-k)/stride + 1, 0
}

// ConvGeometry returns the accel parameters of a 2-D convolution of an NHWC input of shape
// xShape with a kh×kw×C×filters kernel. It panics with an *Error naming op if the input is not
// 4-D or the window does not fit.
func ConvGeometry(op string, xShape []int, kh, kw, filters, strideH, strideW int, padding Padding) accel.Conv2DParams {
	if len(xShape) != 4 {
		panicf(op, [][]int{xShape}, "expects a 4-D input (batch, height, width, channels)")
	}
	same := padding.same(op)
	p := accel.Conv2DParams{N: xShape[0], H: xShape[1], W: xShape[2], C: xShape[3],
		KH: kh, KW: kw, F: filters, StrideH: strideH, StrideW: strideW}
	p.OutH, p.PadTop = windowGeometry(op, xShape, p.H, kh, strideH, same)
	p.OutW, p.PadLeft = windowGeometry(op, xShape, p.W, kw, strideW, same)
	return p
}

// PoolGeometry returns the accel parameters of 2-D pooling of an NHWC input; see
// ConvGeometry.
func PoolGeometry(op string, xShape []int, kh, kw, strideH, strideW int, padding Padding) accel.Pool2DParams {
	if len(xShape) != 4 {
		panicf(op, [][]int{xShape}, "expects a 4-D input (batch, height, width, channels)")
	}
	same := padding.same(op)
	p := accel.Pool2DParams{N: xShape[0], H: xShape[1], W: xShape[2], C: xShape[3],
		KH: kh, KW: kw, StrideH: strideH, StrideW: strideW}
	p.OutH, p.PadTop = windowGeometry(op, xShape, p.H, kh, strideH, same)
	p.OutW, p.PadLeft = windowGeometry(op, xShape, p.W, kw, strideW, same)
	return p
}

// Conv2D convolves the NHWC input x [N, H, W, C] with the HWIO kernel w [KH, KW, C, F], as
// tf.nn.conv2d does, giving [N, OutH, OutW, F].
func Conv2D(x, w *Tensor, strideH, strideW int, padding Padding) *Tensor {
	x.mustFloat("Conv2D")
	w.mustFloat("Conv2D")
	if len(w.shape) != 4 || len(x.shape) == 4 && w.shape[2] != x.shape[3] {
		panicf("Conv2D", [][]int{x.shape, w.shape}, "kernel must be [height, width, %d input channels, filters]", x.Dim(-1))
	}
	p := ConvGeometry("Conv2D", x.shape, w.shape[0], w.shape[1], w.shape[3], strideH, strideW, padding)
	xv, wv := x.floats("Conv2D"), w.floats("Conv2D")
	out := Zeros(p.N, p.OutH, p.OutW, p.F)
	if out.Size() > 0 {
		backend().Conv2D(p, xv, wv, nil, accel.Linear, out.f32)
	}
	if needsGrad(x, w) {
		record(out, "Conv2D", []*Tensor{x, w}, func(g *Tensor) {
			gv := g.floats("Conv2D")
			if x.requiresGrad {
				dx := Zeros(x.shape...)
				backend().Conv2DBackwardData(p, gv, wv, dx.f32)
				accumulate(x, dx)
			}
			if w.requiresGrad {
				dw := Zeros(w.shape...)
				backend().Conv2DBackwardFilter(p, xv, gv, dw.f32, nil)
				accumulate(w, dw)
			}
		})
	}
	return out
}

// MaxPool2D takes the maximum over kh×kw windows of the NHWC input x, as tf.nn.max_pool
// does. The gradient flows to the winning element of each window.
func MaxPool2D(x *Tensor, kh, kw, strideH, strideW int, padding Padding) *Tensor {
	p := PoolGeometry("MaxPool2D", x.shape, kh, kw, strideH, strideW, padding)
	xv := x.floats("MaxPool2D")
	out := Zeros(p.N, p.OutH, p.OutW, p.C)
	arg := make([]int32, out.Size())
	if out.Size() > 0 {
		backend().MaxPool2D(p, xv, out.f32, arg)
	}
	if needsGrad(x) {
		record(out, "MaxPool2D", []*Tensor{x}, func(g *Tensor) {
			dx := Zeros(x.shape...)
			backend().MaxPool2DBackward(p, g.floats("MaxPool2D"), arg, dx.f32)
			accumulate(x, dx)
		})
	}
	return out
}

// AvgPool2D averages kh×kw windows of the NHWC input x, counting only cells inside the
// input, as tf.nn.avg_pool does.
func AvgPool2D(x *Tensor, kh, kw, strideH, strideW int, padding Padding) *Tensor {
	p := PoolGeometry("AvgPool2D", x.shape, kh, kw, strideH, strideW, padding)
	xv := x.floats("AvgPool2D")
	out := Zeros(p.N, p.OutH, p.OutW, p.C)
	if out.Size() > 0 {
		backend().AvgPool2D(p, xv, out.f32)
	}
	if needsGrad(x) {
		record(out, "AvgPool2D", []*Tensor{x}, func(g *Tensor) {
			dx := Zeros(x.shape...)
			backend().AvgPool2DBackward(p, g.floats("AvgPool2D"), dx.f32)
			accumulate(x, dx)
		})
	}
	return out
}

// SoftmaxRows writes the softmax of each row of the m×n matrix src into dst (which may be
// src). It is the kernel behind Softmax.
func SoftmaxRows(m, n int, src, dst []float32) {
	for r := 0; r < m; r++ {
		s, d := src[r*n:(r+1)*n], dst[r*n:(r+1)*n]
		mx := s[0]
		for _, x := range s[1:] {
			mx = max(mx, x)
		}
		var sum float32
		for i, x := range s {
			e := float32(math.Exp(float64(x - mx)))
			d[i] = e
			sum += e
		}
		inv := 1 / sum
		for i := range d {
			d[i] *= inv
		}
	}
}

// SoftmaxBackwardRows computes dx = y ⊙ (dy - Σ(dy ⊙ y)) row by row, the gradient of
// softmax given its output y. dx may alias dy.
func SoftmaxBackwardRows(m, n int, y, dy, dx []float32) {
	for r := 0; r < m; r++ {
		yr, gr, dr := y[r*n:(r+1)*n], dy[r*n:(r+1)*n], dx[r*n:(r+1)*n]
		var dot float32
		for i := range yr {
			dot += yr[i] * gr[i]
		}
		for i := range yr {
			dr[i] = yr[i] * (gr[i] - dot)
		}
	}
}

// Softmax returns the softmax over the last axis.
func (t *Tensor) Softmax() *Tensor {
	if len(t.shape) == 0 {
		panicf("Softmax", [][]int{t.shape}, "needs at least one axis")
	}
	v := t.floats("Softmax")
	n := t.shape[len(t.shape)-1]
	m := 0
	if n > 0 {
		m = len(v) / n
	}
	out := make([]float32, len(v))
	SoftmaxRows(m, n, v, out)
	r := fromShape(out, t.shape)
	if needsGrad(t) {
		record(r, "Softmax", []*Tensor{t}, func(g *Tensor) {
			d := make([]float32, len(v))
			SoftmaxBackwardRows(m, n, out, g.floats("Softmax"), d)
			accumulate(t, fromShape(d, t.shape))
		})
	}
	return r
}

// Epsilon is the fuzz factor Keras clips probabilities with before taking their logarithm.
const Epsilon = 1e-7

// labelsOf returns the class labels of y (any dtype) as int32, checking them against the
// number of classes and the batch size of the predictions.
func labelsOf(op string, y *Tensor, pred []int, classes int) []int32 {
	if y.Size() != pred[0] {
		panicf(op, [][]int{y.shape, pred}, "needs one label per row of predictions")
	}
	var lab []int32
	if y.dtype == Int32 {
		lab = y.i32
	} else {
		lab = make([]int32, y.Size())
		for i := range lab {
			lab[i] = int32(y.at(i))
		}
	}
	for _, l := range lab {
		if l < 0 || int(l) >= classes {
			panicf(op, [][]int{y.shape, pred}, "label %d out of range for %d classes", l, classes)
		}
	}
	return lab
}

// SparseCategoricalCrossentropy returns the per-sample loss -log p[label] for integer labels
// yTrue [N] and class probabilities yPred [N, classes], as
// tf.keras.losses.sparse_categorical_crossentropy does: probabilities are clipped to
// [Epsilon, 1-Epsilon] first. With fromLogits, yPred holds logits and the softmax is applied
// inside (numerically stable).
func SparseCategoricalCrossentropy(yTrue, yPred *Tensor, fromLogits bool) *Tensor {
	const op = "SparseCategoricalCrossentropy"
	if len(yPred.shape) != 2 {
		panicf(op, [][]int{yTrue.shape, yPred.shape}, "predictions must be [batch, classes]")
	}
	m, n := yPred.shape[0], yPred.shape[1]
	lab := labelsOf(op, yTrue, yPred.shape, n)
	p := yPred.floats(op)
	out := make([]float32, m)
	if fromLogits {
		probs := make([]float32, len(p))
		SoftmaxRows(m, n, p, probs)
		for i, l := range lab {
			out[i] = -float32(math.Log(math.Max(float64(probs[i*n+int(l)]), math.SmallestNonzeroFloat32)))
		}
		r := FromFloat32(out, m)
		if needsGrad(yPred) {
			record(r, op, []*Tensor{yPred}, func(g *Tensor) {
				gv := g.floats(op)
				d := make([]float32, len(p))
				for i, l := range lab {
					for j := 0; j < n; j++ {
						d[i*n+j] = gv[i] * probs[i*n+j]
					}
					d[i*n+int(l)] -= gv[i]
				}
				accumulate(yPred, fromShape(d, yPred.shape))
			})
		}
		return r
	}
	for i, l := range lab {
		q := min(max(p[i*n+int(l)], Epsilon), 1-Epsilon)
		out[i] = -float32(math.Log(float64(q)))
	}
	r := FromFloat32(out, m)
	if needsGrad(yPred) {
		record(r, op, []*Tensor{yPred}, func(g *Tensor) {
			gv := g.floats(op)
			d := make([]float32, len(p))
			for i, l := range lab {
				if q := p[i*n+int(l)]; q > Epsilon && q < 1-Epsilon {
					d[i*n+int(l)] = -gv[i] / q
				}
			}
			accumulate(yPred, fromShape(d, yPred.shape))
		})
	}
	return r
}
