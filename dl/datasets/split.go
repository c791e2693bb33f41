package datasets

import (
	"fmt"

	"godl.dev/godl/dl"
)

// Len returns the number of samples.
func (s *Split) Len() int { return s.Y.Dim(0) }

// Take returns the first n samples (all of them if n exceeds Len), as x[:n], y[:n] in
// numpy. The result shares s's storage.
func (s *Split) Take(n int) *Split {
	if n < 0 {
		panic(fmt.Errorf("datasets: Take(%d): the count must not be negative", n))
	}
	n = min(n, s.Len())
	return &Split{X: s.X.Slice(0, n), Y: s.Y.Slice(0, n)}
}

// SplitLabels divides s into the samples whose label is below k and those whose label is k
// or more, each in s's order, as the transfer-learning substitute of the book's chapter 4
// does with k = 5 (MNIST's digits 0–4 and 5–9: 30,596 and 29,404 training samples, 5,139
// and 4,861 test samples). Labels are kept; see OffsetLabels to renumber the upper part
// from 0. The parts are copies.
func (s *Split) SplitLabels(k int) (below, rest *Split) {
	var lo, hi []int
	for i, l := range s.labels() {
		if l < k {
			lo = append(lo, i)
		} else {
			hi = append(hi, i)
		}
	}
	return s.gather(lo), s.gather(hi)
}

// FilterLabels returns the samples whose label is one of labels, in s's order (a copy).
func (s *Split) FilterLabels(labels ...int) *Split {
	want := map[int]bool{}
	for _, l := range labels {
		want[l] = true
	}
	var idx []int
	for i, l := range s.labels() {
		if want[l] {
			idx = append(idx, i)
		}
	}
	return s.gather(idx)
}

// OffsetLabels returns a copy of s whose labels are shifted by d (d = -5 turns digits 5–9
// into classes 0–4). It panics if a label leaves 0..255.
func (s *Split) OffsetLabels(d int) *Split {
	ls := s.labels()
	out := make([]uint8, len(ls))
	for i, l := range ls {
		v := l + d
		if v < 0 || v > 255 {
			panic(fmt.Errorf("datasets: OffsetLabels(%d): label %d of sample %d becomes %d, outside 0..255", d, l, i, v))
		}
		out[i] = uint8(v)
	}
	return &Split{X: s.X, Y: dl.FromUint8(out, len(out))}
}

// Counts returns the number of samples of each label 0..max label.
func (s *Split) Counts() []int {
	var c []int
	for _, l := range s.labels() {
		for len(c) <= l {
			c = append(c, 0)
		}
		c[l]++
	}
	return c
}

// String describes the split: "Split: X [60000 28 28] uint8, Y [60000] uint8".
func (s *Split) String() string {
	return fmt.Sprintf("Split: X %v %v, Y %v %v", s.X.Shape(), s.X.DType(), s.Y.Shape(), s.Y.DType())
}

func (s *Split) labels() []int { return s.Y.Ints() }

// gather copies the samples idx of s into a new split of the same dtypes.
func (s *Split) gather(idx []int) *Split {
	xs := s.X.Shape()
	row := 1
	for _, d := range xs[1:] {
		row *= d
	}
	xs[0] = len(idx)
	x := cloneShape(s.X, xs)
	y := cloneShape(s.Y, append([]int{len(idx)}, s.Y.Shape()[1:]...))
	for i, j := range idx {
		x.Slice(i, i+1).CopyFrom(s.X.Slice(j, j+1))
		y.Slice(i, i+1).CopyFrom(s.Y.Slice(j, j+1))
	}
	return &Split{X: x, Y: y}
}

// cloneShape returns a new tensor of t's dtype and the given shape, zero-filled.
func cloneShape(t *dl.Tensor, shape []int) *dl.Tensor {
	n := 1
	for _, d := range shape {
		n *= d
	}
	switch t.DType() {
	case dl.Uint8:
		return dl.FromUint8(make([]uint8, n), shape...)
	case dl.Int32:
		return dl.FromInt32(make([]int32, n), shape...)
	}
	return dl.Zeros(shape...)
}
