package dl

import (
	"fmt"
	"math"
)

// DType is the element type of a Tensor.
type DType int

// The element types a Tensor can hold. Float32 is the type of all computation; Uint8 holds
// images as loaded, Int32 holds labels and indices.
const (
	Float32 DType = iota
	Uint8
	Int32
)

func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Uint8:
		return "uint8"
	case Int32:
		return "int32"
	}
	return fmt.Sprintf("DType(%d)", int(d))
}

// Tensor is an n-dimensional array in row-major order.
//
// Exactly one storage slice is set for its dtype. A float32 tensor may instead be a scaled
// view of uint8 bytes (u8 set, f32 nil, each byte mapped through lut when read). Views made by Reshape and
// Slice share storage with their source: writing through one is seen through the other.
//
// The autodiff fields are set on tensors that require a gradient: variables (weights) and
// the results of operations on them.
type Tensor struct {
	dtype DType
	shape []int
	f32   []float32
	u8    []uint8
	i32   []int32
	lut   *[256]float32 // for a float32 view of u8 bytes: the value of each byte

	name         string
	requiresGrad bool
	trainable    bool
	grad         *Tensor
	node         *node

	sym *symbol // set on the symbolic tensors of the functional API (Input, Apply)
}

// numel returns the number of elements of shape; it panics on a negative dimension and on
// a count that overflows int.
func numel(op string, shape []int) int {
	n := 1
	for _, d := range shape {
		if d < 0 {
			panicf(op, [][]int{shape}, "negative dimension %d", d)
		}
		if d != 0 && n > math.MaxInt/d {
			for _, e := range shape {
				if e == 0 {
					return 0
				}
			}
			panicf(op, [][]int{shape}, "a tensor of this shape would hold more elements than an int can count, more than any memory")
		}
		n *= d
	}
	return n
}

func cloneShape(s []int) []int { return append([]int(nil), s...) }

func sameShape(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// FromFloat32 returns a float32 tensor of the given shape that uses data as its storage (no
// copy). With no shape, the tensor is 1-D. It panics if the shape does not hold len(data)
// elements.
func FromFloat32(data []float32, shape ...int) *Tensor {
	return &Tensor{dtype: Float32, shape: storageShape("FromFloat32", len(data), shape), f32: data}
}

// storageShape checks that shape holds n elements, the length of the data a From function
// wraps, and returns a copy of it; no shape means a 1-D tensor of n elements.
func storageShape(op string, n int, shape []int) []int {
	if len(shape) == 0 {
		return []int{n}
	}
	if m := numel(op, shape); m != n {
		panicf(op, [][]int{shape}, "shape holds %d elements, data has %d", m, n)
	}
	return cloneShape(shape)
}

// FromUint8 returns a uint8 tensor of the given shape that uses data as its storage.
func FromUint8(data []uint8, shape ...int) *Tensor {
	return &Tensor{dtype: Uint8, shape: storageShape("FromUint8", len(data), shape), u8: data}
}

// FromInt32 returns an int32 tensor of the given shape that uses data as its storage.
func FromInt32(data []int32, shape ...int) *Tensor {
	return &Tensor{dtype: Int32, shape: storageShape("FromInt32", len(data), shape), i32: data}
}

// FromInts returns an int32 tensor holding a copy of data, such as class labels.
func FromInts(data []int, shape ...int) *Tensor {
	v := make([]int32, len(data))
	for i, x := range data {
		v[i] = int32(x)
	}
	return FromInt32(v, shape...)
}

// FromFloat64 returns a float32 tensor holding a rounded copy of data.
func FromFloat64(data []float64, shape ...int) *Tensor {
	v := make([]float32, len(data))
	for i, x := range data {
		v[i] = float32(x)
	}
	return fromShape(v, shape)
}

// FromRows returns a [len(rows), len(rows[0])] float32 tensor holding a copy of rows, as
// tf.constant([[1, 2], [3, 4]]) does. It panics if the rows differ in length.
func FromRows(rows [][]float64) *Tensor {
	if len(rows) == 0 {
		return Zeros(0, 0)
	}
	n := len(rows[0])
	v := make([]float32, 0, len(rows)*n)
	for i, r := range rows {
		if len(r) != n {
			panicf("FromRows", nil, "row %d has %d values, row 0 has %d", i, len(r), n)
		}
		for _, x := range r {
			v = append(v, float32(x))
		}
	}
	return FromFloat32(v, len(rows), n)
}

// Rows returns a copy of a 2-D tensor's values as rows of float64.
func (t *Tensor) Rows() [][]float64 {
	if len(t.shape) != 2 {
		panicf("Rows", [][]int{t.shape}, "needs a 2-D tensor")
	}
	v := t.Float64s()
	rows := make([][]float64, t.shape[0])
	for i := range rows {
		rows[i] = v[i*t.shape[1] : (i+1)*t.shape[1] : (i+1)*t.shape[1]]
	}
	return rows
}

// Zeros returns a new float32 tensor of zeros.
func Zeros(shape ...int) *Tensor {
	return &Tensor{dtype: Float32, shape: cloneShape(shape), f32: allocFloats("Zeros", shape)}
}

// Full returns a new float32 tensor with every element set to v.
func Full(v float64, shape ...int) *Tensor {
	t := Zeros(shape...)
	for i := range t.f32 {
		t.f32[i] = float32(v)
	}
	return t
}

// Ones returns a new float32 tensor of ones.
func Ones(shape ...int) *Tensor { return Full(1, shape...) }

// Scalar returns a 0-D float32 tensor holding v.
func Scalar(v float64) *Tensor { return &Tensor{dtype: Float32, f32: []float32{float32(v)}} }

// ZerosLike returns a new float32 tensor of zeros with t's shape.
func ZerosLike(t *Tensor) *Tensor { return Zeros(t.shape...) }

// Shape returns a copy of the tensor's dimensions.
func (t *Tensor) Shape() []int { return cloneShape(t.shape) }

// HasShape reports whether t's shape is exactly dims.
func (t *Tensor) HasShape(dims ...int) bool { return sameShape(t.shape, dims) }

// Rank returns the number of dimensions.
func (t *Tensor) Rank() int { return len(t.shape) }

// Dim returns the size of axis i; a negative i counts from the end.
func (t *Tensor) Dim(i int) int { return t.shape[t.axis("Dim", i)] }

// Size returns the number of elements.
func (t *Tensor) Size() int {
	n := 1
	for _, d := range t.shape {
		n *= d
	}
	return n
}

// DType returns the element type.
func (t *Tensor) DType() DType { return t.dtype }

// Name returns the name of a variable, or "".
func (t *Tensor) Name() string { return t.name }

// IsScaledView reports whether t is a float32 view of uint8 storage (see DivScalar).
func (t *Tensor) IsScaledView() bool { return t.dtype == Float32 && t.f32 == nil && t.u8 != nil }

// axis resolves a possibly negative axis, panicking if it is out of range.
func (t *Tensor) axis(op string, i int) int {
	if i < 0 {
		i += len(t.shape)
	}
	if i < 0 || i >= len(t.shape) {
		panicf(op, [][]int{t.shape}, "axis %d out of range for rank %d", i, len(t.shape))
	}
	return i
}

// mustFloat panics unless t is a float32 tensor.
func (t *Tensor) mustFloat(op string) {
	if t.dtype != Float32 {
		panicf(op, [][]int{t.shape}, "needs a float32 tensor, got %s (convert with AsFloat32)", t.dtype)
	}
}

// floats returns t's float32 elements. For a scaled view of uint8 bytes it converts them
// into a new slice on every call.
func (t *Tensor) floats(op string) []float32 {
	t.mustFloat(op)
	if t.f32 != nil || t.u8 == nil {
		return t.f32
	}
	v := make([]float32, len(t.u8))
	for i, b := range t.u8 {
		v[i] = t.lut[b]
	}
	return v
}

// Data returns the float32 storage of t itself (not a copy): writes change the tensor. A
// scaled view of uint8 bytes is materialised into float32 storage first. It panics for
// uint8 and int32 tensors; see Uint8s and Int32s.
func (t *Tensor) Data() []float32 {
	if t.IsScaledView() {
		t.f32 = t.floats("Data")
		t.u8 = nil
	}
	t.mustFloat("Data")
	return t.f32
}

// Float32s returns a copy of the elements as float32, converting from any dtype.
func (t *Tensor) Float32s() []float32 {
	switch t.dtype {
	case Uint8:
		v := make([]float32, len(t.u8))
		for i, b := range t.u8 {
			v[i] = float32(b)
		}
		return v
	case Int32:
		v := make([]float32, len(t.i32))
		for i, b := range t.i32 {
			v[i] = float32(b)
		}
		return v
	}
	if t.IsScaledView() {
		return t.floats("Float32s")
	}
	return append([]float32(nil), t.f32...)
}

// Float64s returns a copy of the elements as float64.
func (t *Tensor) Float64s() []float64 {
	f := t.Float32s()
	v := make([]float64, len(f))
	for i, x := range f {
		v[i] = float64(x)
	}
	return v
}

// Ints returns a copy of the elements as int, truncating floats toward zero.
func (t *Tensor) Ints() []int {
	v := make([]int, t.Size())
	switch t.dtype {
	case Uint8:
		for i, b := range t.u8 {
			v[i] = int(b)
		}
	case Int32:
		for i, b := range t.i32 {
			v[i] = int(b)
		}
	default:
		for i, b := range t.Float32s() {
			v[i] = int(b)
		}
	}
	return v
}

// Uint8s returns the uint8 storage of t itself (not a copy); it panics unless t is uint8.
func (t *Tensor) Uint8s() []uint8 {
	if t.dtype != Uint8 {
		panicf("Uint8s", [][]int{t.shape}, "needs a uint8 tensor, got %s", t.dtype)
	}
	return t.u8
}

// Int32s returns the int32 storage of t itself (not a copy); it panics unless t is int32.
func (t *Tensor) Int32s() []int32 {
	if t.dtype != Int32 {
		panicf("Int32s", [][]int{t.shape}, "needs an int32 tensor, got %s", t.dtype)
	}
	return t.i32
}

// Item returns the only element of a one-element tensor.
func (t *Tensor) Item() float64 {
	if t.Size() != 1 {
		panicf("Item", [][]int{t.shape}, "needs a tensor of one element")
	}
	return t.at(0)
}

// at returns element i of the flat storage as float64.
func (t *Tensor) at(i int) float64 {
	switch {
	case t.dtype == Uint8:
		return float64(t.u8[i])
	case t.dtype == Int32:
		return float64(t.i32[i])
	case t.f32 == nil && t.u8 != nil:
		return float64(t.lut[t.u8[i]])
	}
	return float64(t.f32[i])
}

// flatIndex returns the storage offset of the element at idx.
func (t *Tensor) flatIndex(op string, idx []int) int {
	if len(idx) != len(t.shape) {
		panicf(op, [][]int{t.shape}, "%d indices for a tensor of rank %d", len(idx), len(t.shape))
	}
	off := 0
	for i, x := range idx {
		d := t.shape[i]
		if x < 0 {
			x += d
		}
		if x < 0 || x >= d {
			panicf(op, [][]int{t.shape}, "index %d out of range for axis %d of size %d", idx[i], i, d)
		}
		off = off*d + x
	}
	return off
}

// At returns the element at the given indices (negative indices count from the end).
func (t *Tensor) At(idx ...int) float64 { return t.at(t.flatIndex("At", idx)) }

// Set sets the element at the given indices to v, converting to t's dtype. It is an in-place
// write: it does not record a gradient.
func (t *Tensor) Set(v float64, idx ...int) {
	i := t.flatIndex("Set", idx)
	switch t.dtype {
	case Uint8:
		t.u8[i] = uint8(v)
	case Int32:
		t.i32[i] = int32(v)
	default:
		t.Data()[i] = float32(v)
	}
}

// view returns a tensor of shape sharing t's storage from element off for n elements.
func (t *Tensor) view(shape []int, off, n int) *Tensor {
	v := &Tensor{dtype: t.dtype, shape: shape, lut: t.lut}
	switch {
	case t.f32 != nil:
		v.f32 = t.f32[off : off+n : off+n]
	case t.u8 != nil:
		v.u8 = t.u8[off : off+n : off+n]
	case t.i32 != nil:
		v.i32 = t.i32[off : off+n : off+n]
	default:
		switch t.dtype {
		case Uint8:
			v.u8 = []uint8{}
		case Int32:
			v.i32 = []int32{}
		default:
			v.f32 = []float32{}
		}
	}
	return v
}

// resolveShape fills in one -1 dimension so that shape holds n elements.
func resolveShape(op string, from, shape []int, n int) []int {
	shape = cloneShape(shape)
	unknown, known := -1, 1
	for i, d := range shape {
		switch {
		case d == -1 && unknown < 0:
			unknown = i
		case d < 0:
			panicf(op, [][]int{from, shape}, "invalid target shape")
		default:
			known *= d
		}
	}
	if unknown >= 0 {
		if known == 0 || n%known != 0 {
			panicf(op, [][]int{from, shape}, "cannot infer the -1 dimension for %d elements", n)
		}
		shape[unknown] = n / known
	} else if known != n {
		panicf(op, [][]int{from, shape}, "cannot reshape %d elements into %d", n, known)
	}
	return shape
}

// Reshape returns a view of t with a new shape holding the same number of elements; one
// dimension may be -1 and is then inferred. The view shares t's storage.
func (t *Tensor) Reshape(shape ...int) *Tensor {
	n := t.Size()
	s := resolveShape("Reshape", t.shape, shape, n)
	v := t.view(s, 0, n)
	if t.requiresGrad && gradEnabled {
		record(v, "Reshape", []*Tensor{t}, func(g *Tensor) {
			accumulate(t, g.Reshape(t.shape...))
		})
	}
	return v
}

// Flatten returns a view of t as [Dim(0), rest], as Keras's Flatten layer does.
func (t *Tensor) Flatten() *Tensor {
	if len(t.shape) == 0 {
		return t.Reshape(1, 1)
	}
	return t.Reshape(t.shape[0], -1)
}

// ExpandDims returns a view with a new axis of size 1 inserted at axis (negative counts from
// the end, -1 appends), as tf.expand_dims does.
func (t *Tensor) ExpandDims(axis int) *Tensor {
	if axis < 0 {
		axis += len(t.shape) + 1
	}
	if axis < 0 || axis > len(t.shape) {
		panicf("ExpandDims", [][]int{t.shape}, "axis out of range")
	}
	s := append(cloneShape(t.shape[:axis]), 1)
	s = append(s, t.shape[axis:]...)
	return t.Reshape(s...)
}

// Squeeze returns a view without the axes of size 1.
func (t *Tensor) Squeeze() *Tensor {
	var s []int
	for _, d := range t.shape {
		if d != 1 {
			s = append(s, d)
		}
	}
	return t.Reshape(s...)
}

// Slice returns the rows start..end-1 along the first axis as a view sharing t's storage,
// like x[start:end] in numpy. Negative bounds count from the end.
func (t *Tensor) Slice(start, end int) *Tensor {
	if len(t.shape) == 0 {
		panicf("Slice", [][]int{t.shape}, "cannot slice a scalar")
	}
	n := t.shape[0]
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(0, min(start, n))
	end = max(start, min(end, n))
	row := 1
	for _, d := range t.shape[1:] {
		row *= d
	}
	s := cloneShape(t.shape)
	s[0] = end - start
	v := t.view(s, start*row, (end-start)*row)
	if t.requiresGrad && gradEnabled {
		record(v, "Slice", []*Tensor{t}, func(g *Tensor) {
			full := Zeros(t.shape...)
			copy(full.f32[start*row:], g.floats("Slice"))
			accumulate(t, full)
		})
	}
	return v
}

// SliceAxis returns the elements start..end-1 along axis (negative bounds and axis count
// from the end), like x[:, start:end] in numpy for axis 1. Along axis 0 it is Slice, a view;
// along any other axis the result is a copy.
func (t *Tensor) SliceAxis(axis, start, end int) *Tensor {
	axis = t.axis("SliceAxis", axis)
	if axis == 0 {
		return t.Slice(start, end)
	}
	n := t.shape[axis]
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start = max(0, min(start, n))
	end = max(start, min(end, n))
	outer, _, inner := axisSplit(t.shape, axis)
	w := end - start
	shape := cloneShape(t.shape)
	shape[axis] = w
	src := t.Float32s()
	if t.dtype != Float32 {
		panicf("SliceAxis", [][]int{t.shape}, "needs a float32 tensor along axes other than 0, got %s", t.dtype)
	}
	out := make([]float32, outer*w*inner)
	for o := 0; o < outer; o++ {
		copy(out[o*w*inner:(o+1)*w*inner], src[(o*n+start)*inner:(o*n+end)*inner])
	}
	r := fromShape(out, shape)
	if needsGrad(t) {
		record(r, "SliceAxis", []*Tensor{t}, func(g *Tensor) {
			gv := g.floats("SliceAxis")
			d := make([]float32, len(src))
			for o := 0; o < outer; o++ {
				copy(d[(o*n+start)*inner:(o*n+end)*inner], gv[o*w*inner:(o+1)*w*inner])
			}
			accumulate(t, fromShape(d, t.shape))
		})
	}
	return r
}

// Index returns row i of the first axis as a view of rank Rank()-1, like x[i] in numpy.
func (t *Tensor) Index(i int) *Tensor {
	if len(t.shape) == 0 {
		panicf("Index", [][]int{t.shape}, "cannot index a scalar")
	}
	if i < 0 {
		i += t.shape[0]
	}
	if i < 0 || i >= t.shape[0] {
		panicf("Index", [][]int{t.shape}, "index %d out of range for axis 0", i)
	}
	return t.Slice(i, i+1).Reshape(t.shape[1:]...)
}

// Clone returns a deep copy of t's values with its own storage; it does not record a
// gradient and is not a variable.
func (t *Tensor) Clone() *Tensor {
	c := &Tensor{dtype: t.dtype, shape: cloneShape(t.shape)}
	switch {
	case t.dtype == Float32:
		c.f32 = t.Float32s()
		c.u8 = nil
	case t.dtype == Uint8:
		c.u8 = append([]uint8{}, t.u8...)
	default:
		c.i32 = append([]int32{}, t.i32...)
	}
	return c
}

// AsFloat32 returns t as float32: t itself if it already is; a scaled view (no copy) of a
// uint8 tensor; a converted copy of an int32 tensor.
func (t *Tensor) AsFloat32() *Tensor {
	switch t.dtype {
	case Uint8:
		return &Tensor{dtype: Float32, shape: cloneShape(t.shape), u8: t.u8, lut: byteLUT(t, func(b float64) float64 { return b })}
	case Int32:
		return fromShape(t.Float32s(), t.shape)
	}
	return t
}

// AsInt32 returns a copy of t converted to int32 (floats truncate toward zero).
func (t *Tensor) AsInt32() *Tensor {
	v := make([]int32, t.Size())
	for i, x := range t.Ints() {
		v[i] = int32(x)
	}
	return &Tensor{dtype: Int32, shape: cloneShape(t.shape), i32: v}
}

// CopyFrom copies src's values into t, converting dtypes; both must have the same number of
// elements. It is an in-place write: it does not record a gradient.
func (t *Tensor) CopyFrom(src *Tensor) {
	if t.Size() != src.Size() {
		panicf("CopyFrom", [][]int{t.shape, src.shape}, "sizes differ")
	}
	switch t.dtype {
	case Float32:
		dst := t.Data()
		switch {
		case src.dtype == Float32 && src.f32 != nil:
			copy(dst, src.f32)
		case src.u8 != nil:
			lut := byteLUT(src, func(b float64) float64 { return b })
			for i, b := range src.u8 {
				dst[i] = lut[b]
			}
		default:
			for i := range dst {
				dst[i] = float32(src.at(i))
			}
		}
	case Uint8:
		for i := range t.u8 {
			t.u8[i] = uint8(src.at(i))
		}
	default:
		for i := range t.i32 {
			t.i32[i] = int32(src.at(i))
		}
	}
}

// byteLUT returns the table of a float32 view of t's uint8 bytes with f applied to each
// value: t's own values for a uint8 tensor, its table's for a scaled view.
func byteLUT(t *Tensor, f func(float64) float64) *[256]float32 {
	var lut [256]float32
	for b := range lut {
		v := float64(b)
		if t.lut != nil && t.dtype == Float32 {
			v = float64(t.lut[b])
		}
		lut[b] = float32(f(v))
	}
	return &lut
}

// fromShape is FromFloat32 with the shape taken literally (an empty shape is a scalar).
func fromShape(data []float32, shape []int) *Tensor {
	if n := numel("FromFloat32", shape); n != len(data) {
		panicf("FromFloat32", [][]int{shape}, "shape holds %d elements, data has %d", n, len(data))
	}
	return &Tensor{dtype: Float32, shape: cloneShape(shape), f32: data}
}
