package cpu

import "unsafe"

// kernGeneric is the portable micro-kernel (see microKernel). It is compiled in every build:
// it is the fallback where no assembly kernel applies and the reference the assembly
// kernels are tested against.
func kernGeneric(kcb int, a, b *float32, ldb int, c *float32, ldc int, acc bool) {
	as := unsafe.Slice(a, kcb*mr)
	bs := unsafe.Slice(b, (kcb-1)*ldb+nr)
	cs := unsafe.Slice(c, (mr-1)*ldc+nr)
	// 2×4 blocks of the tile in scalar accumulators, which the compiler keeps in
	// registers (a whole 6×16 tile would live in memory).
	for i := 0; i < mr; i += 2 {
		for j := 0; j < nr; j += 4 {
			var c00, c01, c02, c03, c10, c11, c12, c13 float32
			for p := 0; p < kcb; p++ {
				ap := as[p*mr+i : p*mr+i+2 : p*mr+i+2]
				bp := bs[p*ldb+j : p*ldb+j+4 : p*ldb+j+4]
				a0, a1 := ap[0], ap[1]
				b0, b1, b2, b3 := bp[0], bp[1], bp[2], bp[3]
				c00 += a0 * b0
				c01 += a0 * b1
				c02 += a0 * b2
				c03 += a0 * b3
				c10 += a1 * b0
				c11 += a1 * b1
				c12 += a1 * b2
				c13 += a1 * b3
			}
			r0 := cs[i*ldc+j : i*ldc+j+4 : i*ldc+j+4]
			r1 := cs[(i+1)*ldc+j : (i+1)*ldc+j+4 : (i+1)*ldc+j+4]
			if acc {
				r0[0], r0[1], r0[2], r0[3] = r0[0]+c00, r0[1]+c01, r0[2]+c02, r0[3]+c03
				r1[0], r1[1], r1[2], r1[3] = r1[0]+c10, r1[1]+c11, r1[2]+c12, r1[3]+c13
			} else {
				r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
				r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
			}
		}
	}
}
