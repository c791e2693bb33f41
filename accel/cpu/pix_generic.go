package cpu

import "unsafe"

// pixAKernel computes a 6×16 tile of y = im2col(x)·W without an im2col matrix: row i of
// the tile is the output pixel whose window starts at x[bases[i]], and column p of
// im2col is at offset off[p] from it:
//
//	for i < mr, j < nr: t[i][j] = Σ_{p<kc} x[bases[i]+off[p]] · b[p*nr+j]
//	c[i*ldc+j] = t[i][j], or += t[i][j] when acc is true
//
// b is a packed kc×nr panel of W.
type pixAKernel func(kc int, x *float32, bases *int, off *int, b *float32, c *float32, ldc int, acc bool)

// pixATKernel computes a 6×16 tile of dW = im2col(x)ᵀ·dy over n output pixels: row i is
// the kernel position at offset offs[i] within a window, and pixel q's window starts at
// x[bases[q]]:
//
//	for i < mr, j < nr: t[i][j] = Σ_{q<n} x[bases[q]+offs[i]] · dy[q*lddy+j]
//	c[i*ldc+j] = t[i][j], or += t[i][j] when acc is true
type pixATKernel func(n int, x *float32, bases *int, offs *int, dy *float32, lddy int, c *float32, ldc int, acc bool)

func at(x *float32, i int) float32 { return *(*float32)(unsafe.Add(unsafe.Pointer(x), i*4)) }

// kernPixAGeneric is the portable pixAKernel (2×4 blocks in registers).
func kernPixAGeneric(kcb int, x *float32, bases *int, off *int, b *float32, c *float32, ldc int, acc bool) {
	bs := unsafe.Slice(bases, mr)
	offs := unsafe.Slice(off, kcb)
	bp := unsafe.Slice(b, kcb*nr)
	for i := 0; i < mr; i += 2 {
		x0 := unsafe.Add(unsafe.Pointer(x), bs[i]*4)
		x1 := unsafe.Add(unsafe.Pointer(x), bs[i+1]*4)
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for p, o := range offs {
				row := (*[4]float32)(bp[p*nr+j : p*nr+j+4])
				a0 := *(*float32)(unsafe.Add(x0, o*4))
				a1 := *(*float32)(unsafe.Add(x1, o*4))
				c00 += a0 * row[0]
				c01 += a0 * row[1]
				c02 += a0 * row[2]
				c03 += a0 * row[3]
				c10 += a1 * row[0]
				c11 += a1 * row[1]
				c12 += a1 * row[2]
				c13 += a1 * row[3]
			}
			store2x4(c, ldc, i, j, acc, c00, c01, c02, c03, c10, c11, c12, c13)
		}
	}
}

// kernPixATGeneric is the portable pixATKernel (2×4 blocks in registers).
func kernPixATGeneric(n int, x *float32, bases *int, offs *int, dy *float32, lddy int, c *float32, ldc int, acc bool) {
	bs := unsafe.Slice(bases, n)
	os := unsafe.Slice(offs, mr)
	for i := 0; i < mr; i += 2 {
		o0, o1 := os[i], os[i+1]
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for q, base := range bs {
				row := (*[4]float32)(unsafe.Add(unsafe.Pointer(dy), (q*lddy+j)*4))
				a0 := at(x, base+o0)
				a1 := at(x, base+o1)
				c00 += a0 * row[0]
				c01 += a0 * row[1]
				c02 += a0 * row[2]
				c03 += a0 * row[3]
				c10 += a1 * row[0]
				c11 += a1 * row[1]
				c12 += a1 * row[2]
				c13 += a1 * row[3]
			}
			store2x4(c, ldc, i, j, acc, c00, c01, c02, c03, c10, c11, c12, c13)
		}
	}
}
