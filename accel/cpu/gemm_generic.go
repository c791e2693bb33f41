package cpu

import "unsafe"

// kernGeneric is the portable micro-kernel (see microKernel). It is compiled in every build:
// it is the fallback where no assembly kernel applies and the reference the assembly
// kernels are tested against.
func kernGeneric(kcb int, a, b *float32, ldb int, c *float32, ldc int, acc bool) {
	var t [mr * nr]float32
	as := unsafe.Slice(a, kcb*mr)
	bs := unsafe.Slice(b, (kcb-1)*ldb+nr)
	for p := 0; p < kcb; p++ {
		bp := (*[nr]float32)(bs[p*ldb : p*ldb+nr])
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
