package dl

import (
	"math"
)

// Element-wise operations, reductions and matrix products on float32 tensors. Every
// function here records its gradient when an input requires one; the read-only operations
// return new tensors and never modify their operands.

// broadcastShape returns the numpy broadcast of shapes a and b, or panics naming op.
func broadcastShape(op string, a, b []int) []int {
	n := max(len(a), len(b))
	out := make([]int, n)
	for i := 0; i < n; i++ {
		da, db := 1, 1
		if j := len(a) - n + i; j >= 0 {
			da = a[j]
		}
		if j := len(b) - n + i; j >= 0 {
			db = b[j]
		}
		switch {
		case da == db || db == 1:
			out[i] = da
		case da == 1:
			out[i] = db
		default:
			panicf(op, [][]int{a, b}, "shapes are not broadcastable")
		}
	}
	return out
}

// broadcastIndex returns, for every flat index of out, the flat index of the element of a
// tensor of shape in that broadcasting maps to it.
func broadcastIndex(out, in []int) []int {
	strides := make([]int, len(out))
	s := 1
	for i := len(in) - 1; i >= 0; i-- {
		o := i + len(out) - len(in)
		if in[i] != 1 {
			strides[o] = s
		}
		s *= in[i]
	}
	n := numel("broadcast", out)
	idx := make([]int, n)
	ctr := make([]int, len(out))
	off := 0
	for k := 0; k < n; k++ {
		idx[k] = off
		for d := len(out) - 1; d >= 0; d-- {
			ctr[d]++
			off += strides[d]
			if ctr[d] < out[d] {
				break
			}
			off -= strides[d] * ctr[d]
			ctr[d] = 0
		}
	}
	return idx
}

// sumTo sums g (of a broadcast shape) down to shape, the gradient rule of broadcasting.
func sumTo(g *Tensor, shape []int) *Tensor {
	if sameShape(g.shape, shape) {
		return g
	}
	out := Zeros(shape...)
	idx := broadcastIndex(g.shape, shape)
	src := g.floats("sumTo")
	for k, i := range idx {
		out.f32[i] += src[k]
	}
	return out
}

// binary applies f element-wise over the broadcast of a and b.
func binary(op string, a, b *Tensor, f func(x, y float32) float32) *Tensor {
	a.mustFloat(op)
	b.mustFloat(op)
	av, bv := a.floats(op), b.floats(op)
	if sameShape(a.shape, b.shape) {
		out := make([]float32, len(av))
		for i := range out {
			out[i] = f(av[i], bv[i])
		}
		return fromShape(out, a.shape)
	}
	shape := broadcastShape(op, a.shape, b.shape)
	out := allocFloats(op, shape)
	if len(bv) == 1 {
		y := bv[0]
		for i := range out {
			out[i] = f(av[i], y)
		}
		return fromShape(out, shape)
	}
	ia, ib := broadcastIndex(shape, a.shape), broadcastIndex(shape, b.shape)
	for i := range out {
		out[i] = f(av[ia[i]], bv[ib[i]])
	}
	return fromShape(out, shape)
}

// Add returns t + o element-wise, broadcasting as numpy does.
func (t *Tensor) Add(o *Tensor) *Tensor {
	out := binary("Add", t, o, func(x, y float32) float32 { return x + y })
	if needsGrad(t, o) {
		record(out, "Add", []*Tensor{t, o}, func(g *Tensor) {
			accumulate(t, sumTo(g, t.shape).Clone())
			accumulate(o, sumTo(g, o.shape).Clone())
		})
	}
	return out
}

// Sub returns t - o element-wise, broadcasting as numpy does.
func (t *Tensor) Sub(o *Tensor) *Tensor {
	out := binary("Sub", t, o, func(x, y float32) float32 { return x - y })
	if needsGrad(t, o) {
		record(out, "Sub", []*Tensor{t, o}, func(g *Tensor) {
			accumulate(t, sumTo(g, t.shape).Clone())
			if o.requiresGrad {
				accumulate(o, sumTo(noGrad(g.Neg), o.shape))
			}
		})
	}
	return out
}

// Mul returns t · o element-wise, broadcasting as numpy does.
func (t *Tensor) Mul(o *Tensor) *Tensor {
	out := binary("Mul", t, o, func(x, y float32) float32 { return x * y })
	if needsGrad(t, o) {
		record(out, "Mul", []*Tensor{t, o}, func(g *Tensor) {
			if t.requiresGrad {
				accumulate(t, sumTo(noGrad2(g.Mul, o), t.shape))
			}
			if o.requiresGrad {
				accumulate(o, sumTo(noGrad2(g.Mul, t), o.shape))
			}
		})
	}
	return out
}

// Div returns t / o element-wise, broadcasting as numpy does.
func (t *Tensor) Div(o *Tensor) *Tensor {
	out := binary("Div", t, o, func(x, y float32) float32 { return x / y })
	if needsGrad(t, o) {
		record(out, "Div", []*Tensor{t, o}, func(g *Tensor) {
			if t.requiresGrad {
				accumulate(t, sumTo(noGrad2(g.Div, o), t.shape))
			}
			if o.requiresGrad {
				// d(t/o)/do = -t/o²
				gb := binary("Div", g, o, func(x, y float32) float32 { return x / y })
				gb = binary("Div", gb, o, func(x, y float32) float32 { return x / y })
				gb = binary("Mul", gb, t, func(x, y float32) float32 { return -x * y })
				accumulate(o, sumTo(gb, o.shape))
			}
		})
	}
	return out
}

// noGrad evaluates f with gradient recording off (for use inside backward functions).
func noGrad(f func() *Tensor) *Tensor {
	var r *Tensor
	NoGrad(func() { r = f() })
	return r
}

func noGrad2(f func(*Tensor) *Tensor, o *Tensor) *Tensor {
	var r *Tensor
	NoGrad(func() { r = f(o) })
	return r
}

// unary applies f element-wise; df(x, y) is dy/dx given input x and output y.
func (t *Tensor) unary(op string, f func(x float32) float32, df func(x, y float32) float32) *Tensor {
	t.mustFloat(op)
	v := t.floats(op)
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = f(x)
	}
	r := fromShape(out, t.shape)
	if needsGrad(t) {
		record(r, op, []*Tensor{t}, func(g *Tensor) {
			gv := g.floats(op)
			d := make([]float32, len(gv))
			xv := t.floats(op)
			for i := range d {
				d[i] = gv[i] * df(xv[i], out[i])
			}
			accumulate(t, fromShape(d, t.shape))
		})
	}
	return r
}

// AddScalar returns t + v.
func (t *Tensor) AddScalar(v float64) *Tensor {
	c := float32(v)
	return t.unary("AddScalar", func(x float32) float32 { return x + c }, func(x, y float32) float32 { return 1 })
}

// MulScalar returns t · v. For a uint8 tensor (or a scaled view of one) it returns a
// float32 scaled view that shares the uint8 storage, converted when read.
func (t *Tensor) MulScalar(v float64) *Tensor {
	if t.dtype == Uint8 || t.IsScaledView() {
		return &Tensor{dtype: Float32, shape: cloneShape(t.shape), u8: t.u8, lut: byteLUT(t, func(b float64) float64 { return b * v })}
	}
	c := float32(v)
	return t.unary("MulScalar", func(x float32) float32 { return x * c }, func(x, y float32) float32 { return c })
}

// DivScalar returns t / v. For a uint8 tensor it returns a float32 scaled view (see
// MulScalar): x.DivScalar(255) scales images to [0, 1] without a float32 copy.
func (t *Tensor) DivScalar(v float64) *Tensor {
	if t.dtype == Uint8 || t.IsScaledView() {
		return &Tensor{dtype: Float32, shape: cloneShape(t.shape), u8: t.u8, lut: byteLUT(t, func(b float64) float64 { return b / v })}
	}
	c := float32(v)
	return t.unary("DivScalar", func(x float32) float32 { return x / c }, func(x, y float32) float32 { return 1 / c })
}

// PowScalar returns t raised to the power p element-wise.
func (t *Tensor) PowScalar(p float64) *Tensor {
	return t.unary("PowScalar",
		func(x float32) float32 { return float32(math.Pow(float64(x), p)) },
		func(x, y float32) float32 { return float32(p * math.Pow(float64(x), p-1)) })
}

// Neg returns -t.
func (t *Tensor) Neg() *Tensor {
	return t.unary("Neg", func(x float32) float32 { return -x }, func(x, y float32) float32 { return -1 })
}

// Square returns t² element-wise.
func (t *Tensor) Square() *Tensor {
	return t.unary("Square", func(x float32) float32 { return x * x }, func(x, y float32) float32 { return 2 * x })
}

// Sqrt returns √t element-wise.
func (t *Tensor) Sqrt() *Tensor {
	return t.unary("Sqrt", func(x float32) float32 { return float32(math.Sqrt(float64(x))) },
		func(x, y float32) float32 { return 0.5 / y })
}

// Exp returns eᵗ element-wise.
func (t *Tensor) Exp() *Tensor {
	return t.unary("Exp", func(x float32) float32 { return float32(math.Exp(float64(x))) },
		func(x, y float32) float32 { return y })
}

// Log returns the natural logarithm of t element-wise.
func (t *Tensor) Log() *Tensor {
	return t.unary("Log", func(x float32) float32 { return float32(math.Log(float64(x))) },
		func(x, y float32) float32 { return 1 / x })
}

// Abs returns |t| element-wise; its gradient at 0 is 0.
func (t *Tensor) Abs() *Tensor {
	return t.unary("Abs", func(x float32) float32 { return float32(math.Abs(float64(x))) },
		func(x, y float32) float32 {
			switch {
			case x > 0:
				return 1
			case x < 0:
				return -1
			}
			return 0
		})
}

// Clip returns t with every element limited to [lo, hi], as tf.clip_by_value; the gradient
// passes only where the element was inside the range.
func (t *Tensor) Clip(lo, hi float64) *Tensor {
	l, h := float32(lo), float32(hi)
	return t.unary("Clip", func(x float32) float32 { return min(max(x, l), h) },
		func(x, y float32) float32 {
			if x < l || x > h {
				return 0
			}
			return 1
		})
}

// ReLU returns max(t, 0) element-wise; its gradient at 0 is 0.
func (t *Tensor) ReLU() *Tensor {
	return t.unary("ReLU", func(x float32) float32 { return max(x, 0) },
		func(x, y float32) float32 {
			if x > 0 {
				return 1
			}
			return 0
		})
}

// Sigmoid returns 1 / (1 + e⁻ᵗ) element-wise.
func (t *Tensor) Sigmoid() *Tensor {
	return t.unary("Sigmoid", sigmoid32, func(x, y float32) float32 { return y * (1 - y) })
}

func sigmoid32(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }

// Tanh returns tanh(t) element-wise.
func (t *Tensor) Tanh() *Tensor {
	return t.unary("Tanh", func(x float32) float32 { return float32(math.Tanh(float64(x))) },
		func(x, y float32) float32 { return 1 - y*y })
}

// Sum returns the sum of all elements as a 0-D tensor.
func (t *Tensor) Sum() *Tensor {
	v := t.floats("Sum")
	var s float64
	for _, x := range v {
		s += float64(x)
	}
	r := Scalar(s)
	if needsGrad(t) {
		record(r, "Sum", []*Tensor{t}, func(g *Tensor) {
			accumulate(t, Full(g.at(0), t.shape...))
		})
	}
	return r
}

// Mean returns the mean of all elements as a 0-D tensor.
func (t *Tensor) Mean() *Tensor {
	n := t.Size()
	if n == 0 {
		panicf("Mean", [][]int{t.shape}, "mean of an empty tensor")
	}
	return t.Sum().MulScalar(1 / float64(n))
}

// axisSplit returns outer, size and inner for iterating over axis of shape.
func axisSplit(shape []int, axis int) (outer, n, inner int) {
	outer, inner = 1, 1
	for _, d := range shape[:axis] {
		outer *= d
	}
	for _, d := range shape[axis+1:] {
		inner *= d
	}
	return outer, shape[axis], inner
}

func reducedShape(shape []int, axis int, keepDims bool) []int {
	s := cloneShape(shape)
	if keepDims {
		s[axis] = 1
		return s
	}
	return append(s[:axis], s[axis+1:]...)
}

// SumAxis sums over one axis (negative counts from the end); with keepDims the axis stays
// with size 1, as tf.reduce_sum(axis, keepdims) does.
func (t *Tensor) SumAxis(axis int, keepDims bool) *Tensor {
	axis = t.axis("SumAxis", axis)
	v := t.floats("SumAxis")
	outer, n, inner := axisSplit(t.shape, axis)
	out := make([]float32, outer*inner)
	for o := 0; o < outer; o++ {
		for k := 0; k < n; k++ {
			row := v[(o*n+k)*inner : (o*n+k+1)*inner]
			dst := out[o*inner : (o+1)*inner]
			for i, x := range row {
				dst[i] += x
			}
		}
	}
	r := fromShape(out, reducedShape(t.shape, axis, keepDims))
	if needsGrad(t) {
		record(r, "SumAxis", []*Tensor{t}, func(g *Tensor) {
			gv := g.floats("SumAxis")
			d := make([]float32, len(v))
			for o := 0; o < outer; o++ {
				for k := 0; k < n; k++ {
					copy(d[(o*n+k)*inner:(o*n+k+1)*inner], gv[o*inner:(o+1)*inner])
				}
			}
			accumulate(t, fromShape(d, t.shape))
		})
	}
	return r
}

// MeanAxis averages over one axis; see SumAxis.
func (t *Tensor) MeanAxis(axis int, keepDims bool) *Tensor {
	n := t.shape[t.axis("MeanAxis", axis)]
	return t.SumAxis(axis, keepDims).MulScalar(1 / float64(n))
}

// Max returns the largest element as a float64 (NaN for an empty tensor). It records no
// gradient.
func (t *Tensor) Max() float64 {
	v := t.Float32s()
	if len(v) == 0 {
		return math.NaN()
	}
	m := v[0]
	for _, x := range v[1:] {
		m = max(m, x)
	}
	return float64(m)
}

// Min returns the smallest element as a float64 (NaN for an empty tensor).
func (t *Tensor) Min() float64 {
	v := t.Float32s()
	if len(v) == 0 {
		return math.NaN()
	}
	m := v[0]
	for _, x := range v[1:] {
		m = min(m, x)
	}
	return float64(m)
}

// ArgMax returns the index of the largest element along axis as an int32 tensor without
// that axis; ties go to the first index, as in numpy.
func (t *Tensor) ArgMax(axis int) *Tensor {
	axis = t.axis("ArgMax", axis)
	outer, n, inner := axisSplit(t.shape, axis)
	if n == 0 {
		panicf("ArgMax", [][]int{t.shape}, "argmax over an empty axis")
	}
	out := make([]int32, outer*inner)
	for o := 0; o < outer; o++ {
		for i := 0; i < inner; i++ {
			best, bi := t.at(o*n*inner+i), 0
			for k := 1; k < n; k++ {
				if x := t.at((o*n+k)*inner + i); x > best {
					best, bi = x, k
				}
			}
			out[o*inner+i] = int32(bi)
		}
	}
	return &Tensor{dtype: Int32, shape: reducedShape(t.shape, axis, false), i32: out}
}

// Equal returns a float32 tensor of 1 where t and o are equal and 0 elsewhere,
// broadcasting; any dtypes may be compared. It records no gradient.
func (t *Tensor) Equal(o *Tensor) *Tensor {
	a, b := t.AsFloat32().Detach(), o.AsFloat32().Detach()
	return binary("Equal", a, b, func(x, y float32) float32 {
		if x == y {
			return 1
		}
		return 0
	})
}

// MatMul returns the matrix product t·o of a [m, k] and a [k, n] tensor.
func (t *Tensor) MatMul(o *Tensor) *Tensor {
	if len(t.shape) != 2 || len(o.shape) != 2 || t.shape[1] != o.shape[0] {
		panicf("MatMul", [][]int{t.shape, o.shape}, "needs [m, k] · [k, n]")
	}
	m, k, n := t.shape[0], t.shape[1], o.shape[1]
	out := Zeros(m, n)
	a, b := t.floats("MatMul"), o.floats("MatMul")
	if m*n > 0 && k > 0 {
		backend().Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, out.f32, n)
	}
	if needsGrad(t, o) {
		record(out, "MatMul", []*Tensor{t, o}, func(g *Tensor) {
			gv := g.floats("MatMul")
			if t.requiresGrad { // dA = G·Bᵀ
				da := Zeros(m, k)
				if m*k > 0 && n > 0 {
					backend().Sgemm(false, true, m, k, n, 1, gv, n, b, n, 0, da.f32, k)
				}
				accumulate(t, da)
			}
			if o.requiresGrad { // dB = Aᵀ·G
				db := Zeros(k, n)
				if k*n > 0 && m > 0 {
					backend().Sgemm(true, false, k, n, m, 1, a, k, gv, n, 0, db.f32, n)
				}
				accumulate(o, db)
			}
		})
	}
	return out
}

// Transpose returns a copy of t with its axes permuted; with no permutation it reverses
// them (the matrix transpose for rank 2).
func (t *Tensor) Transpose(perm ...int) *Tensor {
	r := len(t.shape)
	if len(perm) == 0 {
		for i := r - 1; i >= 0; i-- {
			perm = append(perm, i)
		}
	}
	if len(perm) != r {
		panicf("Transpose", [][]int{t.shape, perm}, "permutation has the wrong length")
	}
	seen := make([]bool, r)
	shape := make([]int, r)
	for i, p := range perm {
		if p < 0 || p >= r || seen[p] {
			panicf("Transpose", [][]int{t.shape, perm}, "invalid permutation")
		}
		seen[p] = true
		shape[i] = t.shape[p]
	}
	// Strides of t, in the order of the output axes.
	st := make([]int, r)
	s := 1
	for i := r - 1; i >= 0; i-- {
		st[i] = s
		s *= t.shape[i]
	}
	pst := make([]int, r)
	for i, p := range perm {
		pst[i] = st[p]
	}
	v := t.floats("Transpose")
	out := make([]float32, len(v))
	ctr := make([]int, r)
	off := 0
	for k := range out {
		out[k] = v[off]
		for d := r - 1; d >= 0; d-- {
			ctr[d]++
			off += pst[d]
			if ctr[d] < shape[d] {
				break
			}
			off -= pst[d] * ctr[d]
			ctr[d] = 0
		}
	}
	res := fromShape(out, shape)
	if needsGrad(t) {
		inv := make([]int, r)
		for i, p := range perm {
			inv[p] = i
		}
		record(res, "Transpose", []*Tensor{t}, func(g *Tensor) {
			accumulate(t, noGrad(func() *Tensor { return g.Detach().Transpose(inv...) }))
		})
	}
	return res
}
