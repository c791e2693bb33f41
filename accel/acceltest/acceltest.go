// Package acceltest provides a conformance suite for accel.Backend implementations.
//
// Every backend (the CPU one, a CUDA one) runs the same case tables against naive float64
// references from its own tests:
//
//	func TestConformance(t *testing.T) { acceltest.TestBackend(t, cpu.New()) }
//
// Buffers are offset inside larger allocations whose spare elements hold guard values;
// a kernel that writes outside its outputs, or into the gaps of a strided matrix, fails.
package acceltest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"godl.dev/godl/accel"
)

// guard fills every element a kernel must not touch.
const guard = float32(-12345.678)

// Tol is the relative tolerance of a float32 result: |got - want| ≤ Tol·mag + 1e-6, where
// mag is the sum of the magnitudes of the terms that make up the element.
const Tol = 2e-5

// buffer is a slice at an offset inside a guarded allocation.
type buffer struct {
	all  []float32
	off  int
	n    int
	orig []float32
}

// newBuffer returns n random values in [-1, 1) at offset off, with guards around them.
func newBuffer(rng *rand.Rand, n, off int) *buffer {
	b := &buffer{all: make([]float32, off+n+7), off: off, n: n}
	for i := range b.all {
		b.all[i] = guard
	}
	for i := off; i < off+n; i++ {
		b.all[i] = rng.Float32()*2 - 1
	}
	b.orig = append([]float32(nil), b.all...)
	return b
}

// s returns the buffer's elements.
func (b *buffer) s() []float32 { return b.all[b.off : b.off+b.n] }

// checkUntouched fails if any element other than those for which out(i) is true changed.
func (b *buffer) checkUntouched(t *testing.T, name string, out func(i int) bool) {
	t.Helper()
	for i, v := range b.all {
		inside := i >= b.off && i < b.off+b.n
		if inside && out != nil && out(i-b.off) {
			continue
		}
		if math.Float32bits(v) != math.Float32bits(b.orig[i]) {
			t.Fatalf("%s[%d] (offset %d, %d elements) changed from %v to %v: write outside the output", name, i-b.off, b.off, b.n, b.orig[i], v)
		}
	}
}

// near reports whether got matches want within Tol of mag.
func near(got float32, want, mag float64) bool {
	if math.IsNaN(float64(got)) {
		return false
	}
	return math.Abs(float64(got)-want) <= Tol*mag+1e-6
}

// TestBackend runs the whole conformance suite on b.
func TestBackend(t *testing.T, b accel.Backend) {
	t.Run("Sgemm", func(t *testing.T) { TestSgemm(t, b) })
	t.Run("Dense", func(t *testing.T) { TestDense(t, b) })
	t.Run("Conv2D", func(t *testing.T) { TestConv2D(t, b) })
	t.Run("Pool2D", func(t *testing.T) { TestPool2D(t, b) })
	t.Run("SoftmaxCrossEntropy", func(t *testing.T) { TestSoftmaxCrossEntropy(t, b) })
	t.Run("ActivationBackward", func(t *testing.T) { TestActivationBackward(t, b) })
}

// GemmShapes are the m×n×k products every backend is checked on: empty and unit sizes, sizes
// one off a vector width, shapes that cross cache blocks, and the MLP's and LeNet-5's.
var GemmShapes = [][3]int{
	{0, 0, 0}, {0, 5, 3}, {5, 0, 3}, {4, 5, 0}, {1, 1, 1}, {1, 17, 15}, {15, 1, 17}, {17, 15, 1},
	{6, 16, 8}, {7, 17, 300}, {13, 33, 257}, {12, 32, 16}, {50, 10, 64}, {97, 40, 30},
	{200, 70, 600}, {3, 4200, 5}, {32, 128, 784}, {32, 10, 128}, {784, 20, 32}, {150, 16, 100}, {100, 150, 16},
}

// TestSgemm checks Sgemm on every transpose combination, GemmShapes, padded strides, and
// several alpha and beta.
func TestSgemm(t *testing.T, b accel.Backend) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sh := range GemmShapes {
		m, n, k := sh[0], sh[1], sh[2]
		for tr := 0; tr < 4; tr++ {
			tA, tB := tr&1 != 0, tr&2 != 0
			for _, ab := range [][2]float32{{1, 0}, {0.5, 1}, {-1.5, -0.7}} {
				for _, pad := range []int{0, 3} {
					name := fmt.Sprintf("%dx%dx%d/tA=%v,tB=%v/alpha=%v,beta=%v/pad=%d", m, n, k, tA, tB, ab[0], ab[1], pad)
					sgemmCase(t, b, rng, name, tA, tB, m, n, k, ab[0], ab[1], pad)
				}
			}
		}
	}
}

func sgemmCase(t *testing.T, b accel.Backend, rng *rand.Rand, name string, tA, tB bool, m, n, k int, alpha, beta float32, pad int) {
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	lda, ldb, ldc := max(ac, 1)+pad, max(bc, 1)+pad, max(n, 1)+pad
	off := 1 + pad
	A := newBuffer(rng, need(ar, ac, lda), off)
	B := newBuffer(rng, need(br, bc, ldb), off+1)
	C := newBuffer(rng, need(m, n, ldc), off+2)
	if beta == 0 {
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				C.s()[i*ldc+j] = float32(math.NaN())
			}
		}
	}
	want, mag := RefSgemm(tA, tB, m, n, k, alpha, A.s(), lda, B.s(), ldb, beta, C.s(), ldc)
	b.Sgemm(tA, tB, m, n, k, alpha, A.s(), lda, B.s(), ldb, beta, C.s(), ldc)
	A.checkUntouched(t, name+" A", nil)
	B.checkUntouched(t, name+" B", nil)
	C.checkUntouched(t, name+" C", func(i int) bool { return i%ldc < n })
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			if g := C.s()[i*ldc+j]; !near(g, want[i*n+j], mag[i*n+j]) {
				t.Fatalf("%s: C[%d,%d] = %v, want %v", name, i, j, g, want[i*n+j])
			}
		}
	}
}

func need(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

// TestDense checks the fused x·w + bias and activation.
func TestDense(t *testing.T, b accel.Backend) {
	rng := rand.New(rand.NewPCG(3, 4))
	shapes := [][3]int{{1, 1, 1}, {32, 128, 784}, {32, 10, 128}, {7, 17, 33}, {60, 40, 20}, {5, 3, 0}}
	for _, sh := range shapes {
		m, n, k := sh[0], sh[1], sh[2]
		for act := accel.Linear; act <= accel.Tanh; act++ {
			for _, withBias := range []bool{false, true} {
				name := fmt.Sprintf("%dx%dx%d/act=%d/bias=%v", m, n, k, act, withBias)
				x := newBuffer(rng, m*k, 1)
				w := newBuffer(rng, k*n, 2)
				y := newBuffer(rng, m*n, 3)
				var bias []float32
				var bb *buffer
				if withBias {
					bb = newBuffer(rng, n, 1)
					bias = bb.s()
				}
				want, mag := RefSgemm(false, false, m, n, k, 1, x.s(), max(k, 1), w.s(), max(n, 1), 0, nil, n)
				b.Dense(m, n, k, x.s(), w.s(), bias, act, y.s())
				x.checkUntouched(t, name+" x", nil)
				w.checkUntouched(t, name+" w", nil)
				y.checkUntouched(t, name+" y", func(int) bool { return true })
				if bb != nil {
					bb.checkUntouched(t, name+" bias", nil)
				}
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						z, g := want[i*n+j], mag[i*n+j]
						if bias != nil {
							z += float64(bias[j])
							g += math.Abs(float64(bias[j]))
						}
						// Activations have slope ≤ 1, so the tolerance carries over.
						if got := y.s()[i*n+j]; !near(got, RefAct(z, act), g+1) {
							t.Fatalf("%s: y[%d,%d] = %v, want %v", name, i, j, got, RefAct(z, act))
						}
					}
				}
			}
		}
	}
}

// TestActivationBackward checks dz = dy ⊙ act'(z) from y = act(z) for every activation,
// in place and not, on lengths around the vector widths.
func TestActivationBackward(t *testing.T, b accel.Backend) {
	rng := rand.New(rand.NewPCG(11, 12))
	for _, n := range []int{0, 1, 7, 8, 15, 16, 17, 33, 1000} {
		for act := accel.Linear; act <= accel.Tanh; act++ {
			for _, inPlace := range []bool{false, true} {
				name := fmt.Sprintf("n=%d/act=%d/inPlace=%v", n, act, inPlace)
				z := newBuffer(rng, n, 1).s()
				y := newBuffer(rng, n, 2)
				for i, v := range z {
					y.s()[i] = float32(RefAct(float64(v), act))
				}
				if n > 2 {
					y.s()[1] = 0 // ReLU's kink passes no gradient
				}
				y.orig = append([]float32(nil), y.all...)
				dy := newBuffer(rng, n, 3)
				want := make([]float64, n)
				for i, v := range y.s() {
					d, yv := float64(dy.s()[i]), float64(v)
					switch act {
					case accel.Linear:
						want[i] = d
					case accel.ReLU:
						if yv > 0 {
							want[i] = d
						}
					case accel.Sigmoid:
						want[i] = d * yv * (1 - yv)
					case accel.Tanh:
						want[i] = d * (1 - yv*yv)
					}
				}
				dz := dy
				if !inPlace {
					dz = newBuffer(rng, n, 4)
				}
				b.ActivationBackward(act, y.s(), dy.s(), dz.s())
				y.checkUntouched(t, name+" y", nil)
				if !inPlace {
					dy.checkUntouched(t, name+" dy", nil)
				}
				dz.checkUntouched(t, name+" dz", func(int) bool { return true })
				for i, w := range want {
					if got := dz.s()[i]; !near(got, w, math.Abs(w)+1e-3) {
						t.Fatalf("ActivationBackward %s: dz[%d] = %v, want %v", name, i, got, w)
					}
				}
			}
		}
	}
}
