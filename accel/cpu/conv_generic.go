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

// kernOffBGeneric is the portable offBKernel and the reference for the assembly one. It
// works in 2×4 blocks of scalar accumulators, which stay in registers.
func kernOffBGeneric(kcb int, a, b *float32, off *int, c *float32, ldc int, acc bool) {
	as := unsafe.Slice(a, kcb*mr)
	offs := unsafe.Slice(off, kcb)
	for i := 0; i < mr; i += 2 {
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for p, o := range offs {
				bp := (*[4]float32)(unsafe.Add(unsafe.Pointer(b), (o+j)*4))
				a0, a1 := as[p*mr+i], as[p*mr+i+1]
				c00 += a0 * bp[0]
				c01 += a0 * bp[1]
				c02 += a0 * bp[2]
				c03 += a0 * bp[3]
				c10 += a1 * bp[0]
				c11 += a1 * bp[1]
				c12 += a1 * bp[2]
				c13 += a1 * bp[3]
			}
			store2x4(c, ldc, i, j, acc, c00, c01, c02, c03, c10, c11, c12, c13)
		}
	}
}

// store2x4 writes (or adds, when acc is true) a 2×4 block at row i, column j of c.
func store2x4(c *float32, ldc, i, j int, acc bool, c00, c01, c02, c03, c10, c11, c12, c13 float32) {
	r0 := (*[4]float32)(unsafe.Add(unsafe.Pointer(c), (i*ldc+j)*4))
	r1 := (*[4]float32)(unsafe.Add(unsafe.Pointer(c), ((i+1)*ldc+j)*4))
	if acc {
		r0[0], r0[1], r0[2], r0[3] = r0[0]+c00, r0[1]+c01, r0[2]+c02, r0[3]+c03
		r1[0], r1[1], r1[2], r1[3] = r1[0]+c10, r1[1]+c11, r1[2]+c12, r1[3]+c13
		return
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
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
