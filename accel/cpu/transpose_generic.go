package cpu

import "unsafe"

// transposeOut8Func writes 8-pixel blocks of a channel-major tile into NHWC: for b < n8,
// k < 8 and r < 8,
//
//	dst[(8b+k)*pix + r] = relu?(src[r*ldsrc + 8b+k] + bias[r])
//
// All eight lanes are stored, so with fewer than 8 channels per pixel (pix < 8) each store
// spills into the next pixel, which the next store overwrites: callers keep the last spill
// inside their output.
type transposeOut8Func func(n8 int, src *float32, ldsrc int, dst *float32, pix int, bias *float32, relu bool)

// transposeIn8Func reads 8-pixel blocks of NHWC data into channel-major rows: for b < n8,
// k < 8 and r < nch (nch ≤ 8),
//
//	dst[r*lddst + 8b+k] = src[(8b+k)*pix + r]
//
// It reads eight lanes per pixel, past the pixel's channels when nch < 8.
type transposeIn8Func func(n8 int, src *float32, pix int, dst *float32, lddst int, nch int)

func ptr(p *float32, i int) *float32 { return (*float32)(unsafe.Add(unsafe.Pointer(p), i*4)) }

// transposeOut8Generic is the portable transposeOut8Func.
func transposeOut8Generic(n8 int, src *float32, ldsrc int, dst *float32, pix int, bias *float32, relu bool) {
	for q := 0; q < 8*n8; q++ {
		for r := 0; r < 8; r++ {
			v := *ptr(src, r*ldsrc+q) + *ptr(bias, r)
			if relu && v < 0 {
				v = 0
			}
			*ptr(dst, q*pix+r) = v
		}
	}
}

// transposeIn8Generic is the portable transposeIn8Func.
func transposeIn8Generic(n8 int, src *float32, pix int, dst *float32, lddst int, nch int) {
	for q := 0; q < 8*n8; q++ {
		for r := 0; r < nch; r++ {
			*ptr(dst, r*lddst+q) = *ptr(src, q*pix+r)
		}
	}
}
