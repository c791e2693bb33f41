package cpu

import (
	"math"
	"strings"
	"testing"

	"godl.dev/godl/accel"
	"godl.dev/godl/accel/acceltest"
)

// FuzzConv2D feeds arbitrary geometry to the convolution and pooling kernels: they must
// either reject it with an "accel: " panic or compute what the naive reference computes,
// never index out of range or write outside their outputs. go test runs the seeds;
// go test -fuzz FuzzConv2D ./accel/cpu explores further.
func FuzzConv2D(f *testing.F) {
	f.Add(uint8(2), uint8(28), uint8(28), uint8(1), uint8(5), uint8(5), uint8(6), uint8(1), uint8(1), uint8(2), uint8(2), uint8(28), uint8(28))
	f.Add(uint8(2), uint8(14), uint8(14), uint8(6), uint8(5), uint8(5), uint8(16), uint8(1), uint8(1), uint8(0), uint8(0), uint8(10), uint8(10))
	f.Add(uint8(1), uint8(9), uint8(8), uint8(3), uint8(3), uint8(2), uint8(17), uint8(2), uint8(3), uint8(1), uint8(0), uint8(5), uint8(3))
	f.Add(uint8(1), uint8(4), uint8(4), uint8(2), uint8(5), uint8(5), uint8(2), uint8(1), uint8(1), uint8(4), uint8(0), uint8(4), uint8(4))
	f.Add(uint8(3), uint8(5), uint8(5), uint8(9), uint8(1), uint8(1), uint8(8), uint8(2), uint8(2), uint8(0), uint8(0), uint8(3), uint8(3))
	f.Add(uint8(0), uint8(0), uint8(3), uint8(1), uint8(1), uint8(1), uint8(1), uint8(0), uint8(1), uint8(0), uint8(0), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, n, h, w, c, kh, kw, nf, sh, sw, pt, pl, oh, ow uint8) {
		p := accel.Conv2DParams{N: int(n % 4), H: int(h % 20), W: int(w % 20), C: int(c % 10),
			KH: int(kh % 7), KW: int(kw % 7), F: int(nf % 20), StrideH: int(sh % 4), StrideW: int(sw % 4),
			PadTop: int(pt % 5), PadLeft: int(pl % 5), OutH: int(oh % 24), OutW: int(ow % 24)}
		b := New()
		nx, nw, ny := p.N*p.H*p.W*p.C, p.KH*p.KW*p.C*p.F, p.N*p.OutH*p.OutW*p.F
		x, wt, y := make([]float32, nx), make([]float32, nw), make([]float32, ny+8)
		for i := range x {
			x[i] = float32(i%7) - 3
		}
		for i := range wt {
			wt[i] = float32(i%5) - 2
		}
		for i := ny; i < len(y); i++ {
			y[i] = 1234
		}
		if !rejects(t, func() { b.Conv2D(p, x, wt, nil, accel.Linear, y[:ny]) }) {
			want, _ := acceltest.RefConv2D(p, x, wt, nil)
			for i, v := range want {
				if math.Abs(float64(y[i])-v) > 1e-3*(1+math.Abs(v)) {
					t.Fatalf("%+v: y[%d] = %v, want %v", p, i, y[i], v)
				}
			}
			for i := ny; i < len(y); i++ {
				if y[i] != 1234 {
					t.Fatalf("%+v: wrote y[%d] past the output", p, i)
				}
			}
			dx, dw := make([]float32, nx), make([]float32, nw)
			rejects(t, func() { b.Conv2DBackwardData(p, y[:ny], wt, dx) })
			rejects(t, func() { b.Conv2DBackwardFilter(p, x, y[:ny], dw, nil) })
		}
		q := accel.Pool2DParams{N: p.N, H: p.H, W: p.W, C: p.C, KH: p.KH, KW: p.KW,
			StrideH: p.StrideH, StrideW: p.StrideW, PadTop: p.PadTop, PadLeft: p.PadLeft, OutH: p.OutH, OutW: p.OutW}
		py := make([]float32, q.N*q.OutH*q.OutW*q.C)
		arg := make([]int32, len(py))
		if !rejects(t, func() { b.MaxPool2D(q, x, py, arg) }) {
			dx := make([]float32, nx)
			rejects(t, func() { b.MaxPool2DBackward(q, py, arg, dx) })
			rejects(t, func() { b.AvgPool2D(q, x, py) })
		}
	})
}

// rejects runs f and reports whether it panicked; a panic that is not an "accel: "
// message fails the test.
func rejects(t *testing.T, f func()) (rejected bool) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			msg, ok := r.(string)
			if !ok || !strings.HasPrefix(msg, "accel: ") {
				t.Fatalf("panic that is not an argument check: %v", r)
			}
			rejected = true
		}
	}()
	f()
	return false
}
