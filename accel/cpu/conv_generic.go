package cpu

import "unsafe"

// offBKernel computes one mr×nr tile of C from a packed A panel and a B whose rows lie at
// arbitrary offsets of one array (an implicit im2col matrix):
//
//	for i < mr, j < nr: t[i][j] = Σ_{p<kc} a[p*mr+i] · b[off[p]+j]
//	c[i*ldc+j] = t[i][j], or += t[i][j] when acc is true
type offBKernel func(kc int, a, b *float32, off *int, c *float32, ldc int, acc bool)

// dotKernel adds a 6×2 block of dot products of length n (a multiple of 8) to C:
//
//	for i < 6, j < 2: c[i*ldc+j] += Σ_{t<n} a[i*lda+t] · bj[t]
type dotKernel func(n int, a *float32, lda int, b0, b1 *float32, c *float32, ldc int)

// kernOffBGeneric is the portable offBKernel and the reference for the assembly one.
func kernOffBGeneric(kcb int, a, b *float32, off *int, c *float32, ldc int, acc bool) {
	var t [mr * nr]float32
	as := unsafe.Slice(a, kcb*mr)
	offs := unsafe.Slice(off, kcb)
	for p, o := range offs {
		bp := (*[nr]float32)(unsafe.Pointer(uintptr(unsafe.Pointer(b)) + uintptr(o)*4))
		ap := (*[mr]float32)(as[p*mr : p*mr+mr])
		for i := 0; i < mr; i++ {
			ai := ap[i]
			ti := (*[nr]float32)(t[i*nr : i*nr+nr])
			for j := 0; j < nr; j++ {
				ti[j] += ai * bp[j]
			}
		}
	}
	cs := unsafe.Slice(c, (mr-1)*ldc+nr)
	for i := 0; i < mr; i++ {
		row := (*[nr]float32)(cs[i*ldc : i*ldc+nr])
		ti := (*[nr]float32)(t[i*nr : i*nr+nr])
		if acc {
			for j := 0; j < nr; j++ {
				row[j] += ti[j]
			}
		} else {
			*row = *ti
		}
	}
}

// kernDotGeneric is the portable dotKernel and the reference for the assembly one.
func kernDotGeneric(n int, a *float32, lda int, b0, b1 *float32, c *float32, ldc int) {
	x0, x1 := unsafe.Slice(b0, n), unsafe.Slice(b1, n)
	as := unsafe.Slice(a, 5*lda+n)
	cs := unsafe.Slice(c, 5*ldc+2)
	for i := 0; i < 6; i++ {
		r := as[i*lda : i*lda+n]
		var s0, s1 float32
		for t, v := range r {
			s0 += v * x0[t]
			s1 += v * x1[t]
		}
		cs[i*ldc] += s0
		cs[i*ldc+1] += s1
	}
}
