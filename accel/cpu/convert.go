package cpu

import "math"

// ConvertBytes sets dst[i] = lut[src[i]] for every byte of src, and starts bringing next
// (the bytes the following call will convert, or nil) into the processor's caches. dl uses
// it to turn samples of uint8 images into float32 rows through a scaled view's table, one
// sample at a time in a shuffled order: without the hint, each sample's bytes arrive from
// memory only as they are read. dst must hold len(src) elements.
//
// The conversion itself is a table lookup per byte, eight at a time in Go: an AVX2 gather
// from the table measured slower on the development machine (19 µs against 15 µs for a
// batch of 32 MNIST images).
func ConvertBytes(dst []float32, src []uint8, lut *[256]float32, next []uint8) {
	if len(dst) < len(src) {
		panicf("ConvertBytes: dst has %d elements, want %d", len(dst), len(src))
	}
	if len(next) > 0 {
		prefetchLines(&next[0], len(next))
	}
	dst = dst[:len(src)]
	i := 0
	for ; i+8 <= len(src); i += 8 {
		s, d := src[i:i+8:i+8], dst[i:i+8:i+8]
		d[0], d[1], d[2], d[3] = lut[s[0]], lut[s[1]], lut[s[2]], lut[s[3]]
		d[4], d[5], d[6], d[7] = lut[s[4]], lut[s[5]], lut[s[6]], lut[s[7]]
	}
	for ; i < len(src); i++ {
		dst[i] = lut[src[i]]
	}
}

// OrBits sets acc[j] |= the bits of x[r*k+j] for every row r < rows and column j < k of the
// row-major matrix x: afterwards acc[j] &^ (1<<31) is zero exactly when column j holds only
// zeros. dl's Dense uses it to find the input columns a batch leaves zero.
func OrBits(acc []uint32, x []float32, rows, k int) {
	if len(acc) < k || len(x) < rows*k {
		panicf("OrBits: acc has %d elements and x %d, want %d and %d×%d", len(acc), len(x), k, rows, k)
	}
	n8 := k / 8
	for r := 0; r < rows; r++ {
		row := x[r*k : (r+1)*k]
		if n8 > 0 {
			orRow(n8, &row[0], &acc[0])
		}
		for j := 8 * n8; j < k; j++ {
			acc[j] |= math.Float32bits(row[j])
		}
	}
}

// orRow is the fastest orRowFunc this processor runs.
var orRow = func() orRowFunc {
	if hasAsmKernel() {
		return asmOrRow
	}
	return orRowGeneric
}()
