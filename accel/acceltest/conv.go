package acceltest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"godl.dev/godl/accel"
)

// Same returns Keras "same" output size and leading padding for one axis.
func Same(in, k, stride int) (out, padBefore int) {
	out = (in + stride - 1) / stride
	return out, max((out-1)*stride+k-in, 0) / 2
}

// Valid returns Keras "valid" output size for one axis.
func Valid(in, k, stride int) int { return (in-k)/stride + 1 }

// ConvParams builds Conv2DParams for Keras padding "same" or "valid".
func ConvParams(n, h, w, c, kh, kw, f, sh, sw int, same bool) accel.Conv2DParams {
	p := accel.Conv2DParams{N: n, H: h, W: w, C: c, KH: kh, KW: kw, F: f, StrideH: sh, StrideW: sw}
	if same {
		p.OutH, p.PadTop = Same(h, kh, sh)
		p.OutW, p.PadLeft = Same(w, kw, sw)
	} else {
		p.OutH, p.OutW = Valid(h, kh, sh), Valid(w, kw, sw)
	}
	return p
}

// ConvCases are the convolutions every backend is checked on: LeNet-5's two layers,
// strides with same and valid padding, 1×1 kernels, rectangular kernels, an empty batch
// and one large enough to be split across threads.
var ConvCases = []accel.Conv2DParams{
	ConvParams(2, 28, 28, 1, 5, 5, 6, 1, 1, true),
	ConvParams(2, 14, 14, 6, 5, 5, 16, 1, 1, false),
	ConvParams(3, 9, 11, 3, 3, 3, 5, 2, 2, true),
	ConvParams(2, 10, 10, 2, 3, 3, 4, 3, 3, false),
	ConvParams(2, 4, 5, 7, 1, 1, 9, 1, 1, true),
	ConvParams(1, 7, 6, 4, 2, 3, 3, 1, 2, true),
	ConvParams(1, 3, 3, 2, 3, 3, 17, 1, 1, true),
	ConvParams(0, 5, 5, 2, 3, 3, 2, 1, 1, true),
	ConvParams(8, 16, 16, 8, 3, 3, 24, 1, 1, true),
	ConvParams(32, 28, 28, 1, 5, 5, 6, 1, 1, true),
	ConvParams(2, 9, 9, 12, 5, 5, 6, 1, 1, true),   // depth 300: several blocks
	ConvParams(2, 10, 10, 6, 5, 5, 16, 1, 1, true), // data-gradient depth 400
}

// TestConv2D checks the forward pass with every activation and both backward passes.
func TestConv2D(t *testing.T, b accel.Backend) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, p := range ConvCases {
		nx, nw, ny := p.N*p.H*p.W*p.C, p.KH*p.KW*p.C*p.F, p.N*p.OutH*p.OutW*p.F
		for _, act := range []accel.Activation{accel.Linear, accel.ReLU, accel.Tanh} {
			name := fmt.Sprintf("%+v/act=%d", p, act)
			x, w, y := newBuffer(rng, nx, 1), newBuffer(rng, nw, 2), newBuffer(rng, ny, 3)
			var bias []float32
			if act != accel.Linear {
				bias = newBuffer(rng, p.F, 0).s()
			}
			want, mag := RefConv2D(p, x.s(), w.s(), bias)
			b.Conv2D(p, x.s(), w.s(), bias, act, y.s())
			x.checkUntouched(t, name+" x", nil)
			w.checkUntouched(t, name+" w", nil)
			y.checkUntouched(t, name+" y", func(int) bool { return true })
			for i := range want {
				if got := y.s()[i]; !near(got, RefAct(want[i], act), mag[i]) {
					t.Fatalf("Conv2D %s: y[%d] = %v, want %v", name, i, got, RefAct(want[i], act))
				}
			}
		}
		name := fmt.Sprintf("%+v", p)
		dy, w, dx := newBuffer(rng, ny, 2), newBuffer(rng, nw, 1), newBuffer(rng, nx, 3)
		want, mag := RefConv2DBackwardData(p, dy.s(), w.s())
		b.Conv2DBackwardData(p, dy.s(), w.s(), dx.s())
		dy.checkUntouched(t, name+" dy", nil)
		dx.checkUntouched(t, name+" dx", func(int) bool { return true })
		for i := range want {
			if got := dx.s()[i]; !near(got, want[i], mag[i]) {
				t.Fatalf("Conv2DBackwardData %s: dx[%d] = %v, want %v", name, i, got, want[i])
			}
		}
		for _, withDB := range []bool{false, true} {
			x, dy, dw := newBuffer(rng, nx, 1), newBuffer(rng, ny, 2), newBuffer(rng, nw, 3)
			var db *buffer
			var dbs []float32
			if withDB {
				db = newBuffer(rng, p.F, 2)
				dbs = db.s()
			}
			wantW, magW, wantB, magB := RefConv2DBackwardFilter(p, x.s(), dy.s())
			b.Conv2DBackwardFilter(p, x.s(), dy.s(), dw.s(), dbs)
			x.checkUntouched(t, name+" x", nil)
			dy.checkUntouched(t, name+" dy", nil)
			dw.checkUntouched(t, name+" dw", func(int) bool { return true })
			for i := range wantW {
				if got := dw.s()[i]; !near(got, wantW[i], magW[i]) {
					t.Fatalf("Conv2DBackwardFilter %s: dw[%d] = %v, want %v", name, i, got, wantW[i])
				}
			}
			if db != nil {
				db.checkUntouched(t, name+" db", func(int) bool { return true })
				for i := range wantB {
					if got := dbs[i]; !near(got, wantB[i], magB[i]) {
						t.Fatalf("Conv2DBackwardFilter %s: db[%d] = %v, want %v", name, i, got, wantB[i])
					}
				}
			}
		}
	}
}

// PoolParams builds Pool2DParams for Keras padding "same" or "valid".
func PoolParams(n, h, w, c, kh, kw, sh, sw int, same bool) accel.Pool2DParams {
	p := accel.Pool2DParams{N: n, H: h, W: w, C: c, KH: kh, KW: kw, StrideH: sh, StrideW: sw}
	if same {
		p.OutH, p.PadTop = Same(h, kh, sh)
		p.OutW, p.PadLeft = Same(w, kw, sw)
	} else {
		p.OutH, p.OutW = Valid(h, kh, sh), Valid(w, kw, sw)
	}
	return p
}

// PoolCases are the poolings every backend is checked on.
var PoolCases = []accel.Pool2DParams{
	PoolParams(2, 28, 28, 6, 2, 2, 2, 2, false),
	PoolParams(2, 10, 10, 16, 2, 2, 2, 2, false),
	PoolParams(2, 7, 5, 3, 2, 2, 2, 2, false),
	PoolParams(2, 7, 5, 3, 2, 2, 2, 2, true),
	PoolParams(1, 9, 8, 2, 3, 3, 2, 2, true),
	PoolParams(1, 6, 6, 17, 3, 3, 1, 1, true),
	PoolParams(0, 4, 4, 1, 2, 2, 2, 2, false),
}

// TestPool2D checks max and average pooling, forward and backward.
func TestPool2D(t *testing.T, b accel.Backend) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, p := range PoolCases {
		name := fmt.Sprintf("%+v", p)
		nx, ny := p.N*p.H*p.W*p.C, p.N*p.OutH*p.OutW*p.C
		x, y := newBuffer(rng, nx, 1), newBuffer(rng, ny, 2)
		arg := make([]int32, ny+3)
		for i := range arg {
			arg[i] = -7
		}
		b.MaxPool2D(p, x.s(), y.s(), arg[1:ny+1])
		x.checkUntouched(t, name+" x", nil)
		y.checkUntouched(t, name+" y", func(int) bool { return true })
		if arg[0] != -7 || arg[ny+1] != -7 {
			t.Fatalf("MaxPool2D %s: wrote argmax outside its %d elements", name, ny)
		}
		poolWindows(p, func(o int, in []int) {
			best := in[0]
			for _, i := range in {
				if x.s()[i] > x.s()[best] {
					best = i
				}
			}
			if y.s()[o] != x.s()[best] {
				t.Fatalf("MaxPool2D %s: y[%d] = %v, want %v", name, o, y.s()[o], x.s()[best])
			}
			a := int(arg[o+1])
			found := false
			for _, i := range in {
				found = found || i == a
			}
			if !found || x.s()[a] != y.s()[o] {
				t.Fatalf("MaxPool2D %s: argmax[%d] = %d, not a maximum of the window %v", name, o, a, in)
			}
		})

		dy, dx := newBuffer(rng, ny, 1), newBuffer(rng, nx, 2)
		want := make([]float64, nx)
		for o := 0; o < ny; o++ {
			want[arg[o+1]] += float64(dy.s()[o])
		}
		b.MaxPool2DBackward(p, dy.s(), arg[1:ny+1], dx.s())
		dx.checkUntouched(t, name+" dx", func(int) bool { return true })
		for i, w := range want {
			if got := dx.s()[i]; !near(got, w, math.Abs(w)+4) {
				t.Fatalf("MaxPool2DBackward %s: dx[%d] = %v, want %v", name, i, got, w)
			}
		}

		y2 := newBuffer(rng, ny, 1)
		b.AvgPool2D(p, x.s(), y2.s())
		y2.checkUntouched(t, name+" y", func(int) bool { return true })
		wantD := make([]float64, nx)
		poolWindows(p, func(o int, in []int) {
			var s, g float64
			for _, i := range in {
				s += float64(x.s()[i])
				g += math.Abs(float64(x.s()[i]))
				wantD[i] += float64(dy.s()[o]) / float64(len(in))
			}
			if got := y2.s()[o]; !near(got, s/float64(len(in)), g) {
				t.Fatalf("AvgPool2D %s: y[%d] = %v, want %v", name, o, got, s/float64(len(in)))
			}
		})
		dx2 := newBuffer(rng, nx, 3)
		b.AvgPool2DBackward(p, dy.s(), dx2.s())
		dx2.checkUntouched(t, name+" dx", func(int) bool { return true })
		for i, w := range wantD {
			if got := dx2.s()[i]; !near(got, w, 10) {
				t.Fatalf("AvgPool2DBackward %s: dx[%d] = %v, want %v", name, i, got, w)
			}
		}
	}
}

// TestSoftmaxCrossEntropy checks probabilities, loss and the fused gradient, including
// logits large enough to overflow a naive exp.
func TestSoftmaxCrossEntropy(t *testing.T, b accel.Backend) {
	rng := rand.New(rand.NewPCG(9, 10))
	for _, sh := range [][2]int{{1, 1}, {32, 10}, {5, 3}, {3, 1000}, {0, 4}} {
		m, n := sh[0], sh[1]
		for _, scale := range []float32{1, 1000} {
			name := fmt.Sprintf("%dx%d/scale=%v", m, n, scale)
			logits := newBuffer(rng, m*n, 1)
			for i := range logits.s() {
				logits.s()[i] *= scale
			}
			logits.orig = append([]float32(nil), logits.all...)
			labels := make([]int32, m)
			for i := range labels {
				labels[i] = int32(rng.IntN(n))
			}
			probs, grad := newBuffer(rng, m*n, 2), newBuffer(rng, m*n, 3)
			loss := b.SoftmaxCrossEntropy(m, n, logits.s(), labels, probs.s(), grad.s())
			logits.checkUntouched(t, name+" logits", nil)
			probs.checkUntouched(t, name+" probs", func(int) bool { return true })
			grad.checkUntouched(t, name+" grad", func(int) bool { return true })
			var wantLoss float64
			for i := 0; i < m; i++ {
				z := logits.s()[i*n : i*n+n]
				mx := math.Inf(-1)
				for _, v := range z {
					mx = math.Max(mx, float64(v))
				}
				var s float64
				for _, v := range z {
					s += math.Exp(float64(v) - mx)
				}
				for j, v := range z {
					pj := math.Exp(float64(v)-mx) / s
					if got := probs.s()[i*n+j]; !near(got, pj, 1) {
						t.Fatalf("%s: probs[%d,%d] = %v, want %v", name, i, j, got, pj)
					}
					g := pj
					if j == int(labels[i]) {
						g--
					}
					g /= float64(m)
					if got := grad.s()[i*n+j]; !near(got, g, 1) {
						t.Fatalf("%s: grad[%d,%d] = %v, want %v", name, i, j, got, g)
					}
				}
				wantLoss += math.Log(s) + mx - float64(z[labels[i]])
			}
			if m > 0 {
				wantLoss /= float64(m)
			}
			if !near(loss, wantLoss, math.Abs(wantLoss)+1) {
				t.Fatalf("%s: loss = %v, want %v", name, loss, wantLoss)
			}
			// Without grad only probs and the loss are computed.
			probs2 := newBuffer(rng, m*n, 1)
			if l2 := b.SoftmaxCrossEntropy(m, n, logits.s(), labels, probs2.s(), nil); l2 != loss {
				t.Fatalf("%s: loss without grad = %v, with grad %v", name, l2, loss)
			}
		}
	}
}
