package cpu

import "testing"

func BenchmarkMicroKernel(b *testing.B) {
	const k = 256
	a, bb, c := randSlice(k*mr), randSlice(k*nr), randSlice(mr*nr)
	for _, kc := range []struct {
		name string
		f    microKernel
	}{{"asm", asmKernel}, {"generic", kernGeneric}} {
		b.Run(kc.name, func(b *testing.B) {
			for b.Loop() {
				kc.f(k, &a[0], &bb[0], nr, &c[0], nr, true)
			}
			b.ReportMetric(2*float64(k*mr*nr)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
