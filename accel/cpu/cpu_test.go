package cpu

import (
	"math"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"

	"godl.dev/godl/accel"
	"godl.dev/godl/accel/acceltest"
)

func TestConformance(t *testing.T) {
	acceltest.TestBackend(t, New())
}

func TestConformanceGeneric(t *testing.T) {
	acceltest.TestBackend(t, NewGeneric())
}

func TestConformanceOneThread(t *testing.T) {
	b := New()
	b.SetMaxThreads(1)
	acceltest.TestBackend(t, b)
}

func TestRegistered(t *testing.T) {
	if accel.Default() == nil {
		t.Fatal("no default backend after importing accel/cpu")
	}
}

// TestConformanceManyThreads splits every kernel into up to eight parts, more than this
// machine has cores, to exercise the part boundaries.
func TestConformanceManyThreads(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	acceltest.TestBackend(t, New())
}

// TestConcurrentCallers runs kernels from several goroutines at once on one backend (each
// on its own buffers) and checks every result against a sequential run: scratch and
// workers are shared, outputs must not be.
func TestConcurrentCallers(t *testing.T) {
	b := New()
	conv := acceltest.ConvParams(8, 14, 14, 6, 5, 5, 16, 1, 1, false)
	type bufs struct{ a, w, y, dw, dx, c []float32 }
	mk := func(seed int) bufs {
		f := func(n int) []float32 {
			s := make([]float32, n)
			for i := range s {
				s[i] = float32((i*7+seed*13)%11) - 5
			}
			return s
		}
		return bufs{a: f(8 * 14 * 14 * 6), w: f(5 * 5 * 6 * 16), y: make([]float32, 8*10*10*16),
			dw: make([]float32, 5*5*6*16), dx: make([]float32, 8*14*14*6), c: make([]float32, 64*64)}
	}
	run := func(u bufs) {
		b.Conv2D(conv, u.a, u.w, nil, accel.ReLU, u.y)
		b.Conv2DBackwardFilter(conv, u.a, u.y, u.dw, nil)
		b.Conv2DBackwardData(conv, u.y, u.w, u.dx)
		b.Sgemm(false, true, 64, 64, 30, 1, u.a, 30, u.w, 30, 0, u.c, 64)
	}
	const g = 4
	want := make([]bufs, g)
	got := make([]bufs, g)
	for i := range want {
		want[i], got[i] = mk(i), mk(i)
		run(want[i])
	}
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < 5; r++ {
				run(got[i])
			}
		}()
	}
	wg.Wait()
	for i := range got {
		for name, pair := range map[string][2][]float32{"y": {got[i].y, want[i].y}, "dw": {got[i].dw, want[i].dw},
			"dx": {got[i].dx, want[i].dx}, "c": {got[i].c, want[i].c}} {
			for k := range pair[1] {
				if pair[0][k] != pair[1][k] {
					t.Fatalf("goroutine %d: %s[%d] = %v concurrently, %v alone", i, name, k, pair[0][k], pair[1][k])
				}
			}
		}
	}
}

// TestSameBitsOnAnyThreads checks that results do not depend on the number of goroutines
// or on which one ran which chunk: seeded training must be reproducible on 1 or 2 cores.
func TestSameBitsOnAnyThreads(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	rng := rand.New(rand.NewPCG(31, 32))
	f := func(n int) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = rng.Float32()*2 - 1
		}
		return s
	}
	convs := []accel.Conv2DParams{
		acceltest.ConvParams(16, 28, 28, 1, 5, 5, 6, 1, 1, true),
		acceltest.ConvParams(16, 14, 14, 6, 5, 5, 16, 1, 1, false),
		acceltest.ConvParams(8, 11, 11, 4, 3, 3, 16, 2, 2, true),
	}
	run := func(b *Backend) [][]float32 {
		rng = rand.New(rand.NewPCG(31, 32))
		var out [][]float32
		for _, p := range convs {
			x, w := f(p.N*p.H*p.W*p.C), f(p.KH*p.KW*p.C*p.F)
			y, dy := make([]float32, p.N*p.OutH*p.OutW*p.F), f(p.N*p.OutH*p.OutW*p.F)
			dw, db, dx := make([]float32, len(w)), make([]float32, p.F), make([]float32, len(x))
			b.Conv2D(p, x, w, nil, accel.ReLU, y)
			b.Conv2DBackwardFilter(p, x, dy, dw, db)
			b.Conv2DBackwardData(p, dy, w, dx)
			out = append(out, y, dw, db, dx)
		}
		for _, sh := range [][3]int{{32, 128, 784}, {784, 128, 32}, {150, 16, 3200}} {
			m, n, k := sh[0], sh[1], sh[2]
			a, bb, c := f(m*k), f(k*n), make([]float32, m*n)
			b.Sgemm(m == 32, false, m, n, k, 1, a, map[bool]int{true: m, false: k}[m == 32], bb, n, 0, c, n)
			out = append(out, c)
		}
		return out
	}
	one := New()
	one.SetMaxThreads(1)
	want := run(one)
	for _, th := range []int{2, 3, 8} {
		b := New()
		b.SetMaxThreads(th)
		for rep := 0; rep < 3; rep++ {
			got := run(b)
			for i := range want {
				for k := range want[i] {
					if math.Float32bits(got[i][k]) != math.Float32bits(want[i][k]) {
						t.Fatalf("%d threads: result %d element %d = %v, %v on one thread", th, i, k, got[i][k], want[i][k])
					}
				}
			}
		}
	}
}
