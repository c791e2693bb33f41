package cpu

import (
	"math"
	"unsafe"

	"godl.dev/godl/accel"
)

// Flags of a biasReLUFunc.
const (
	epiBias = 1 // add bias[j]
	epiReLU = 2 // then clamp at zero
)

// biasReLUFunc sets row[r*ld+j] = relu?(row[r*ld+j] + bias[j]) for r < rows, j < n, as
// flags say; bias is not read without epiBias.
type biasReLUFunc func(rows, n int, row *float32, ld int, bias *float32, flags int)

// scatterFunc writes dst[i*stride] = relu?(src[i] + bias) for i < n: one channel of a
// transposed output tile into its NHWC places.
type scatterFunc func(n int, src, dst *float32, stride int, bias float32, relu bool)

// biasReLUGeneric is the portable biasReLUFunc.
func biasReLUGeneric(rows, n int, row *float32, ld int, bias *float32, flags int) {
	for i := 0; i < rows; i++ {
		biasReLURow(n, (*float32)(unsafe.Add(unsafe.Pointer(row), i*ld*4)), bias, flags)
	}
}

func biasReLURow(n int, row, bias *float32, flags int) {
	r := unsafe.Slice(row, n)
	if flags&epiBias != 0 {
		b := unsafe.Slice(bias, n)
		for j := range r {
			r[j] += b[j]
		}
	}
	if flags&epiReLU != 0 {
		for j, x := range r {
			u := math.Float32bits(x)
			r[j] = math.Float32frombits(u &^ uint32(int32(u)>>31))
		}
	}
}

// scatterGeneric is the portable scatterFunc.
func scatterGeneric(n int, src, dst *float32, stride int, bias float32, relu bool) {
	s := unsafe.Slice(src, n)
	d := unsafe.Slice(dst, (n-1)*stride+1)
	for i, v := range s {
		v += bias
		if relu && v < 0 {
			v = 0
		}
		d[i*stride] = v
	}
}

// reluBackwardFunc sets dz[i] = dy[i] where y[i] > 0 and 0 elsewhere, for i < n.
type reluBackwardFunc func(n int, y, dy, dz *float32)

// reluBackwardGeneric is the portable reluBackwardFunc.
func reluBackwardGeneric(n int, y, dy, dz *float32) {
	ys, ds, zs := unsafe.Slice(y, n), unsafe.Slice(dy, n), unsafe.Slice(dz, n)
	for i, v := range ys {
		g := ds[i]
		if !(v > 0) {
			g = 0
		}
		zs[i] = g
	}
}

// addRowsFunc sets dst[r*lddst+i] += src[r*ldsrc+i] for r < rows, i < n.
type addRowsFunc func(rows, n int, src *float32, ldsrc int, dst *float32, lddst int)

// addRowsGeneric is the portable addRowsFunc.
func addRowsGeneric(rows, n int, src *float32, ldsrc int, dst *float32, lddst int) {
	for r := 0; r < rows; r++ {
		s := unsafe.Slice(ptr(src, r*ldsrc), n)
		d := unsafe.Slice(ptr(dst, r*lddst), n)
		for i, v := range s {
			d[i] += v
		}
	}
}

// actFunc applies the sigmoid (tanh false) or tanh in place to 8·n8 elements of v.
type actFunc func(n8 int, v *float32, tanh bool)

// actGeneric is the portable actFunc.
func actGeneric(n8 int, v *float32, tanh bool) {
	s := unsafe.Slice(v, 8*n8)
	if tanh {
		applyAct(s, accel.Tanh)
	} else {
		applyAct(s, accel.Sigmoid)
	}
}

// sigTanhBackwardFunc sets dz = dy·y·(1-y) (sigmoid) or dz = dy·(1-y²) (tanh) on 8·n8
// elements.
type sigTanhBackwardFunc func(n8 int, y, dy, dz *float32, tanh bool)

// sigTanhBackwardGeneric is the portable sigTanhBackwardFunc.
func sigTanhBackwardGeneric(n8 int, y, dy, dz *float32, tanh bool) {
	ys, ds, zs := unsafe.Slice(y, 8*n8), unsafe.Slice(dy, 8*n8), unsafe.Slice(dz, 8*n8)
	for i, v := range ys {
		if tanh {
			zs[i] = ds[i] * (1 - v*v)
		} else {
			zs[i] = ds[i] * v * (1 - v)
		}
	}
}
