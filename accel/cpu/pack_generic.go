package cpu

import "unsafe"

// packBT16Func transposes 16 rows of B (row stride ldb) into a packed panel over 8·k8
// depths: dst[p*16+j] = b[j*ldb+p] for j < 16, p < 8·k8.
type packBT16Func func(k8 int, b *float32, ldb int, dst *float32)

// packBT16Generic is the portable packBT16Func.
func packBT16Generic(k8 int, b *float32, ldb int, dst *float32) {
	n := 8 * k8
	if n == 0 {
		return
	}
	d := unsafe.Slice(dst, n*nr)
	for j := 0; j < nr; j++ {
		src := unsafe.Slice((*float32)(unsafe.Add(unsafe.Pointer(b), j*ldb*4)), n)
		for p, v := range src {
			d[p*nr+j] = v
		}
	}
}

// gatherFunc sets dst[i] = src[i*stride] for i < n (stride < 2³¹/8).
type gatherFunc func(n int, src *float32, stride int, dst *float32)

// gatherGeneric is the portable gatherFunc.
func gatherGeneric(n int, src *float32, stride int, dst *float32) {
	d := unsafe.Slice(dst, n)
	for i := range d {
		d[i] = *(*float32)(unsafe.Add(unsafe.Pointer(src), i*stride*4))
	}
}
