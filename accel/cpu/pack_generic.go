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

// packAT6Func packs six columns of a transposed A into a panel of mr = 6 rows: for
// p < kcb, dst[6p+i] = alpha·a[p*lda+i] for i < 6.
type packAT6Func func(kcb int, a *float32, lda int, alpha float32, dst *float32)

// packAT6Generic is the portable packAT6Func.
func packAT6Generic(kcb int, a *float32, lda int, alpha float32, dst *float32) {
	d := unsafe.Slice(dst, kcb*mr)
	for p := 0; p < kcb; p++ {
		src := (*[mr]float32)(unsafe.Add(unsafe.Pointer(a), p*lda*4))
		o := (*[mr]float32)(d[p*mr:])
		o[0], o[1], o[2], o[3], o[4], o[5] = alpha*src[0], alpha*src[1], alpha*src[2], alpha*src[3], alpha*src[4], alpha*src[5]
	}
}

// orRowFunc sets acc[i] |= the bits of src[i] for i < 8·n8.
type orRowFunc func(n8 int, src *float32, acc *uint32)

// orRowGeneric is the portable orRowFunc.
func orRowGeneric(n8 int, src *float32, acc *uint32) {
	a := unsafe.Slice(acc, 8*n8)
	for i, v := range unsafe.Slice((*uint32)(unsafe.Pointer(src)), 8*n8) {
		a[i] |= v
	}
}
