package acceltest

import (
	"math"

	"godl.dev/godl/accel"
)

// The naive references below compute in float64 and also return, per output element, the
// sum of the magnitudes of its terms, which bounds the float32 rounding error of any
// summation order.

// RefSgemm is the textbook triple loop for C = alpha·op(A)·op(B) + beta·C.
func RefSgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) (want, mag []float64) {
	want = make([]float64, m*n)
	mag = make([]float64, m*n)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var s, g float64
			for p := 0; p < k; p++ {
				var av, bv float32
				if tA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if tB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				t := float64(av) * float64(bv)
				s += t
				g += math.Abs(t)
			}
			s *= float64(alpha)
			g *= math.Abs(float64(alpha))
			if beta != 0 {
				cv := float64(beta) * float64(c[i*ldc+j])
				s += cv
				g += math.Abs(cv)
			}
			want[i*n+j] = s
			mag[i*n+j] = g
		}
	}
	return want, mag
}

// RefAct applies an activation in float64.
func RefAct(x float64, act accel.Activation) float64 {
	switch act {
	case accel.ReLU:
		return math.Max(x, 0)
	case accel.Sigmoid:
		return 1 / (1 + math.Exp(-x))
	case accel.Tanh:
		return math.Tanh(x)
	}
	return x
}

// RefConv2D is a direct convolution: y[n,oy,ox,f] = Σ x[n,iy,ix,c]·w[kh,kw,c,f] + bias[f],
// before the activation.
func RefConv2D(p accel.Conv2DParams, x, w, bias []float32) (want, mag []float64) {
	want = make([]float64, p.N*p.OutH*p.OutW*p.F)
	mag = make([]float64, len(want))
	if bias != nil {
		for i := range want {
			want[i] = float64(bias[i%p.F])
			mag[i] = math.Abs(want[i])
		}
	}
	convWalk(p, func(xi, wi, yi int) {
		t := float64(x[xi]) * float64(w[wi])
		want[yi] += t
		mag[yi] += math.Abs(t)
	})
	return want, mag
}

// RefConv2DBackwardData scatters dy through w: the adjoint of RefConv2D in x.
func RefConv2DBackwardData(p accel.Conv2DParams, dy, w []float32) (want, mag []float64) {
	want = make([]float64, p.N*p.H*p.W*p.C)
	mag = make([]float64, len(want))
	convWalk(p, func(xi, wi, yi int) {
		t := float64(dy[yi]) * float64(w[wi])
		want[xi] += t
		mag[xi] += math.Abs(t)
	})
	return want, mag
}

// RefConv2DBackwardFilter correlates x with dy: the adjoint of RefConv2D in w.
func RefConv2DBackwardFilter(p accel.Conv2DParams, x, dy []float32) (dw, magW, db, magB []float64) {
	dw = make([]float64, p.KH*p.KW*p.C*p.F)
	magW = make([]float64, len(dw))
	convWalk(p, func(xi, wi, yi int) {
		t := float64(dy[yi]) * float64(x[xi])
		dw[wi] += t
		magW[wi] += math.Abs(t)
	})
	db = make([]float64, p.F)
	magB = make([]float64, p.F)
	for i, v := range dy[:p.N*p.OutH*p.OutW*p.F] {
		db[i%p.F] += float64(v)
		magB[i%p.F] += math.Abs(float64(v))
	}
	return dw, magW, db, magB
}

// convWalk calls fn for every (x, w, y) index triple that a convolution multiplies.
func convWalk(p accel.Conv2DParams, fn func(xi, wi, yi int)) {
	for n := 0; n < p.N; n++ {
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				for kh := 0; kh < p.KH; kh++ {
					iy := oy*p.StrideH - p.PadTop + kh
					if iy < 0 || iy >= p.H {
						continue
					}
					for kw := 0; kw < p.KW; kw++ {
						ix := ox*p.StrideW - p.PadLeft + kw
						if ix < 0 || ix >= p.W {
							continue
						}
						for c := 0; c < p.C; c++ {
							for f := 0; f < p.F; f++ {
								fn(((n*p.H+iy)*p.W+ix)*p.C+c, ((kh*p.KW+kw)*p.C+c)*p.F+f, ((n*p.OutH+oy)*p.OutW+ox)*p.F+f)
							}
						}
					}
				}
			}
		}
	}
}

// poolWindows calls fn for each output index o with the input indices of its unpadded
// window, in row-major window order.
func poolWindows(p accel.Pool2DParams, fn func(o int, in []int)) {
	var in []int
	for n := 0; n < p.N; n++ {
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				for c := 0; c < p.C; c++ {
					in = in[:0]
					for kh := 0; kh < p.KH; kh++ {
						iy := oy*p.StrideH - p.PadTop + kh
						if iy < 0 || iy >= p.H {
							continue
						}
						for kw := 0; kw < p.KW; kw++ {
							ix := ox*p.StrideW - p.PadLeft + kw
							if ix < 0 || ix >= p.W {
								continue
							}
							in = append(in, ((n*p.H+iy)*p.W+ix)*p.C+c)
						}
					}
					fn(((n*p.OutH+oy)*p.OutW+ox)*p.C+c, in)
				}
			}
		}
	}
}
