package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

// These tests compare each assembly kernel with its portable twin on random inputs
// (in a noasm build both sides are the portable kernel). Results may differ only by the
// rounding of fused multiply-adds.

func closeTo(a, b float32, mag float64) bool {
	return math.Abs(float64(a)-float64(b)) <= 1e-5*mag+1e-6
}

func compareSlices(t *testing.T, name string, got, want []float32, mag float64) {
	t.Helper()
	for i := range want {
		if !closeTo(got[i], want[i], mag) {
			t.Fatalf("%s: element %d: assembly %v, portable %v", name, i, got[i], want[i])
		}
	}
}

func TestMicroKernelsMatchPortable(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = rng.Float32()*2 - 1
		}
		return s
	}
	for _, k := range []int{1, 2, 3, 4, 5, 7, 17, 256} {
		for _, ldb := range []int{nr, nr + 5} {
			for _, ldc := range []int{nr, nr + 3} {
				for _, acc := range []bool{false, true} {
					a, b := fill(k*mr), fill(k*ldb)
					c0 := fill(mr * ldc)
					c1 := append([]float32(nil), c0...)
					asmKernel(k, &a[0], &b[0], ldb, &c0[0], ldc, acc)
					kernGeneric(k, &a[0], &b[0], ldb, &c1[0], ldc, acc)
					compareSlices(t, "gemm kernel", c0, c1, float64(k+1))

					// The same with B rows through an offset table.
					off := make([]int, k)
					for p := range off {
						off[p] = rng.IntN(len(b) - nr + 1)
					}
					copy(c0, c1)
					asmOffB(k, &a[0], &b[0], &off[0], &c0[0], ldc, acc)
					kernOffBGeneric(k, &a[0], &b[0], &off[0], &c1[0], ldc, acc)
					compareSlices(t, "offset-B kernel", c0, c1, float64(k+1))

					// Pixel-list kernels: six window starts and k offsets into x.
					x := fill(400)
					bases := make([]int, max(k, mr))
					for i := range bases {
						bases[i] = rng.IntN(200)
					}
					offs := make([]int, max(k, mr))
					for i := range offs {
						offs[i] = rng.IntN(200)
					}
					bp := fill(k * nr)
					copy(c0, c1)
					asmPixA(k, &x[0], &bases[0], &offs[0], &bp[0], &c0[0], ldc, acc)
					kernPixAGeneric(k, &x[0], &bases[0], &offs[0], &bp[0], &c1[0], ldc, acc)
					compareSlices(t, "pixel-list kernel", c0, c1, float64(k+1))
					dy := fill(k * ldb)
					copy(c0, c1)
					asmPixAT(k, &x[0], &bases[0], &offs[0], &dy[0], ldb, &c0[0], ldc, acc)
					kernPixATGeneric(k, &x[0], &bases[0], &offs[0], &dy[0], ldb, &c1[0], ldc, acc)
					compareSlices(t, "pixel-list gradient kernel", c0, c1, float64(k+1))
				}
			}
		}
	}
	for _, k8 := range []int{1, 2, 5} {
		ldb := 8*k8 + 3
		b := fill(nr * ldb)
		d0 := fill(8 * k8 * nr)
		d1 := append([]float32(nil), d0...)
		asmPackBT16(k8, &b[0], ldb, &d0[0])
		packBT16Generic(k8, &b[0], ldb, &d1[0])
		compareSlices(t, "transposing pack", d0, d1, 0)
	}
	for _, n8 := range []int{1, 3} {
		for _, pix := range []int{1, 6, 8, 16} {
			src := fill(8*(8*n8+2) + 8)
			bias := fill(8)
			for _, relu := range []bool{false, true} {
				d0 := fill(8*n8*pix + 8)
				d1 := append([]float32(nil), d0...)
				asmTransposeOut8(n8, &src[0], 8*n8+2, &d0[0], pix, &bias[0], relu)
				transposeOut8Generic(n8, &src[0], 8*n8+2, &d1[0], pix, &bias[0], relu)
				compareSlices(t, "transposing scatter", d0, d1, 1)
			}
			for nch := 1; nch <= 8; nch++ {
				in := fill(8*n8*pix + 8)
				ld := 8*n8 + 3
				d0 := fill(8 * ld)
				d1 := append([]float32(nil), d0...)
				asmTransposeIn8(n8, &in[0], pix, &d0[0], ld, nch)
				transposeIn8Generic(n8, &in[0], pix, &d1[0], ld, nch)
				compareSlices(t, "transposing gather", d0, d1, 0)
			}
		}
	}
	for _, n := range []int{1, 7, 8, 9, 30} {
		for _, stride := range []int{1, 6, 16} {
			src := fill(n * stride)
			d0 := fill(n + 1)
			d1 := append([]float32(nil), d0...)
			asmGather(n, &src[0], stride, &d0[0])
			gatherGeneric(n, &src[0], stride, &d1[0])
			compareSlices(t, "gather", d0, d1, 0)
		}
	}
	for _, kcb := range []int{1, 2, 31, 256} {
		for _, lda := range []int{6, 7, 450} {
			for _, alpha := range []float32{1, -0.01, 3} {
				a := fill((kcb-1)*lda + 6)
				d0 := fill(6*kcb + 2)
				d1 := append([]float32(nil), d0...)
				asmPackAT6(kcb, &a[0], lda, alpha, &d0[0])
				packAT6Generic(kcb, &a[0], lda, alpha, &d1[0])
				compareSlices(t, "transposed A panel", d0, d1, 0)
			}
		}
	}
	for _, n := range []int{0, 8, 16, 72, 256} {
		lda := n + 8
		a, b0, b1 := fill(6*lda+8), fill(n+8), fill(n+8)
		c0 := fill(6 * 5)
		c1 := append([]float32(nil), c0...)
		asmDot(n, &a[0], lda, &b0[0], &b1[0], &c0[0], 5)
		kernDotGeneric(n, &a[0], lda, &b0[0], &b1[0], &c1[0], 5)
		compareSlices(t, "dot kernel", c0, c1, float64(n+1))
	}
}

func TestEpilogueKernelsMatchPortable(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	fill := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = rng.Float32()*2 - 1
		}
		return s
	}
	for _, tanh := range []bool{false, true} {
		v := fill(64)
		for i := range v {
			v[i] *= 12 // around the saturation of both functions
		}
		v[0], v[1], v[2], v[3] = 0, 1e-6, -100, 100
		w := append([]float32(nil), v...)
		asmAct(8, &v[0], tanh)
		actGeneric(8, &w[0], tanh)
		for i := range v {
			if math.Abs(float64(v[i]-w[i])) > 2e-7+2e-6*math.Abs(float64(w[i])) {
				t.Fatalf("activation (tanh %v) of element %d: assembly %v, portable %v", tanh, i, v[i], w[i])
			}
		}
	}
	for n := 1; n <= 20; n++ {
		for flags := 0; flags < 4; flags++ {
			rows, ld := 3, n+2
			r0, bias := fill(rows*ld), fill(n)
			r1 := append([]float32(nil), r0...)
			asmBiasReLU(rows, n, &r0[0], ld, &bias[0], flags)
			biasReLUGeneric(rows, n, &r1[0], ld, &bias[0], flags)
			compareSlices(t, "bias+ReLU", r0, r1, 1)
		}
		for _, relu := range []bool{false, true} {
			stride := 3
			src, d0 := fill(n), fill(n*stride)
			d1 := append([]float32(nil), d0...)
			asmScatter(n, &src[0], &d0[0], stride, 0.25, relu)
			scatterGeneric(n, &src[0], &d1[0], stride, 0.25, relu)
			compareSlices(t, "scatter", d0, d1, 1)
		}
		{
			idx := make([]int32, n)
			for i := range idx {
				idx[i] = int32(100 + rng.IntN(2*n))
			}
			src := fill(n)
			d0 := fill(2 * n)
			d1 := append([]float32(nil), d0...)
			b0 := asmScatterAdd(n, &idx[0], &src[0], &d0[0], 100, 2*n)
			b1 := scatterAddGeneric(n, &idx[0], &src[0], &d1[0], 100, 2*n)
			compareSlices(t, "scatter-add", d0, d1, 4)
			idx[n/2] = 99 // outside
			b0 = asmScatterAdd(n, &idx[0], &src[0], &d0[0], 100, 2*n)
			b1 = scatterAddGeneric(n, &idx[0], &src[0], &d1[0], 100, 2*n)
			if b0 != b1 || b0 != n/2+1 {
				t.Fatalf("scatter-add bad index: assembly %d, portable %d, want %d", b0, b1, n/2+1)
			}
		}
		{
			src := fill(3 * (n + 2))
			d0 := fill(3 * (n + 5))
			d1 := append([]float32(nil), d0...)
			asmAddRows(3, n, &src[0], n+2, &d0[0], n+5)
			addRowsGeneric(3, n, &src[0], n+2, &d1[0], n+5)
			compareSlices(t, "row add", d0, d1, 2)
		}
		for _, tanh := range []bool{false, true} {
			y, dy := fill(8*n), fill(8*n)
			z0, z1 := fill(8*n), fill(8*n)
			asmSigTanhBackward(n, &y[0], &dy[0], &z0[0], tanh)
			sigTanhBackwardGeneric(n, &y[0], &dy[0], &z1[0], tanh)
			compareSlices(t, "sigmoid/tanh backward", z0, z1, 1)
		}
		y, dy := fill(n), fill(n)
		y[0] = 0
		z0, z1 := fill(n), fill(n)
		asmReLUBackward(n, &y[0], &dy[0], &z0[0])
		reluBackwardGeneric(n, &y[0], &dy[0], &z1[0])
		compareSlices(t, "ReLU backward", z0, z1, 0)

		cells := 1 + rng.IntN(9)
		// Max pooling of a row of 3 pixels with n channels over up to 9 cells each.
		{
			x := fill(60 * n)
			offs := make([]int, cells)
			for i := range offs {
				offs[i] = rng.IntN(30) * n
			}
			y0, y1 := make([]float32, 3*n+8), make([]float32, 3*n+8)
			a0, a1 := make([]int32, 3*n+8), make([]int32, 3*n+8)
			asmMaxPoolRow(3, &x[0], 2*n, &offs[0], cells, n, &y0[0], &a0[0], 7)
			maxPoolRowGeneric(3, &x[0], 2*n, &offs[0], cells, n, &y1[0], &a1[0], 7)
			compareSlices(t, "max pool row", y0[:3*n], y1[:3*n], 0)
			for i := 0; i < 3*n; i++ {
				if a0[i] != a1[i] {
					t.Fatalf("max pool row argmax[%d]: assembly %d, portable %d", i, a0[i], a1[i])
				}
			}
		}
		// Max pooling of one pixel with n channels over up to 9 cells; the assembly
		// writes whole vectors, so the outputs have room past n.
		x := fill(40 * n)
		offs := make([]int, cells)
		for i := range offs {
			offs[i] = rng.IntN(30) * n
		}
		y0, y1 := make([]float32, n+8), make([]float32, n+8)
		a0, a1 := make([]int32, n+8), make([]int32, n+8)
		asmMaxPoolRow(1, &x[0], 0, &offs[0], cells, n, &y0[0], &a0[0], 1000)
		maxPoolPixelGeneric(&x[0], &offs[0], cells, n, &y1[0], &a1[0], 1000)
		compareSlices(t, "max pool", y0[:n], y1[:n], 0)
		for i := 0; i < n; i++ {
			if a0[i] != a1[i] {
				t.Fatalf("max pool argmax[%d]: assembly %d, portable %d", i, a0[i], a1[i])
			}
		}
	}
}
