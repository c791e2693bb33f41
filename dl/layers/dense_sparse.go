package layers

import (
	"godl.dev/godl/accel"
	"godl.dev/godl/accel/cpu"
)

// Skipping input features that are zero across a whole batch.
//
// Images with a plain background give Dense inputs whose columns are often zero for every
// sample of a batch: 42% of MNIST's 784 pixels in a batch of 32. Such a column j contributes
// nothing to x·W (row j of W is multiplied by zeros) and its weight gradient row xᵀ·g is
// zero. The forward pass then multiplies the compacted inputs [m, |J|] by the gathered rows
// W[J] (J the non-zero columns), and the fused SGD update touches only those rows. The result
// is the same up to the order of float32 additions. Dense inputs (few zero columns) take the
// full path after a scan that costs one OR per element.

const (
	sparseMinFeatures = 64   // narrower inputs: not worth the gathers
	sparseMaxShare    = 0.85 // use the compacted path when |J| ≤ sparseMaxShare·k
)

// sparseState holds the compacted operands of the last forward pass.
type sparseState struct {
	on    bool      // the last forward pass used them
	cols  []int32   // J: the non-zero columns
	any   []uint32  // per column: OR of the bits of its values
	xc    []float32 // x[:, J], m×|J|
	wc    []float32 // W[J, :], |J|×n, gathered before the update
	batch int
}

// compact finds the non-zero columns of the m×k matrix x and, when there are few enough,
// gathers x[:, J] and W[J, :] (w is k×n). It reports whether it did.
func (s *sparseState) compact(x []float32, m, k int, w []float32, n int) bool {
	s.on = false
	if k < sparseMinFeatures || m == 0 {
		return false
	}
	if cap(s.any) < k {
		s.any = make([]uint32, k)
		s.cols = make([]int32, 0, k)
	}
	any := s.any[:k]
	clear(any)
	cpu.OrBits(any, x, m, k)
	cols := s.cols[:0]
	for j, b := range any {
		if b&^(1<<31) != 0 { // -0 counts as zero
			cols = append(cols, int32(j))
		}
	}
	s.cols = cols
	nj := len(cols)
	if nj == 0 || float64(nj) > sparseMaxShare*float64(k) { // none: a K = 0 product; leave it to the full path
		return false
	}
	if cap(s.xc) < m*nj {
		s.xc = make([]float32, m*k)
	}
	if cap(s.wc) < nj*n {
		s.wc = make([]float32, k*n)
	}
	xc, wc := s.xc[:m*nj], s.wc[:nj*n]
	for r := 0; r < m; r++ {
		src, dst := x[r*k:(r+1)*k], xc[r*nj:(r+1)*nj]
		dst = dst[:len(cols)]
		for jj, j := range cols {
			dst[jj] = src[j]
		}
	}
	for jj, j := range cols {
		copy(wc[jj*n:(jj+1)*n], w[int(j)*n:(int(j)+1)*n])
	}
	s.on, s.batch = true, m
	return true
}

// forwardSparse computes y = act(x·W + b) from the compacted operands.
func (d *DenseLayer) forwardSparse(act accel.Activation, b, y []float32) {
	s := &d.sparse
	nj := len(s.cols)
	accel.Default().Dense(s.batch, d.units, nj, s.xc[:s.batch*nj], s.wc[:nj*d.units], b, act, y)
}

// updateSparse applies W[J] ← W[J] - lr·x[:, J]ᵀ·g, the fused SGD step restricted to the
// non-zero columns (the other rows' gradient is zero).
func (d *DenseLayer) updateSparse(g []float32) {
	s := &d.sparse
	m, n, nj := s.batch, d.units, len(s.cols)
	wc := s.wc[:nj*n]
	accel.Default().Sgemm(true, false, nj, n, m, -d.lr, s.xc[:m*nj], nj, g, n, 1, wc, n)
	w := d.kernel.Data()
	for jj, j := range s.cols {
		copy(w[int(j)*n:(int(j)+1)*n], wc[jj*n:(jj+1)*n])
	}
}
