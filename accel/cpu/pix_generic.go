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

// kernPixAGeneric is the portable pixAKernel.
func kernPixAGeneric(kcb int, x *float32, bases *int, off *int, b *float32, c *float32, ldc int, acc bool) {
	var t [mr * nr]float32
	bs := unsafe.Slice(bases, mr)
	offs := unsafe.Slice(off, kcb)
	bp := unsafe.Slice(b, kcb*nr)
	for p, o := range offs {
		row := (*[nr]float32)(bp[p*nr : p*nr+nr])
		for i := 0; i < mr; i++ {
			a := at(x, bs[i]+o)
			ti := (*[nr]float32)(t[i*nr : i*nr+nr])
			for j := 0; j < nr; j++ {
				ti[j] += a * row[j]
			}
		}
	}
	storeTile(&t, c, ldc, acc)
}

// kernPixATGeneric is the portable pixATKernel.
func kernPixATGeneric(n int, x *float32, bases *int, offs *int, dy *float32, lddy int, c *float32, ldc int, acc bool) {
	var t [mr * nr]float32
	bs := unsafe.Slice(bases, n)
	os := unsafe.Slice(offs, mr)
	for q, base := range bs {
		row := (*[nr]float32)(unsafe.Add(unsafe.Pointer(dy), q*lddy*4))
		for i := 0; i < mr; i++ {
			a := at(x, base+os[i])
			ti := (*[nr]float32)(t[i*nr : i*nr+nr])
			for j := 0; j < nr; j++ {
				ti[j] += a * row[j]
			}
		}
	}
	storeTile(&t, c, ldc, acc)
}

// storeTile writes (or adds, when acc is true) the mr×nr tile t to c with row stride ldc.
func storeTile(t *[mr * nr]float32, c *float32, ldc int, acc bool) {
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
