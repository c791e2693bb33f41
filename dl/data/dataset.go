// Package data provides input pipelines in the manner of tf.data.Dataset: a Dataset is a
// recipe of stages (slices of tensors, shuffling, batching, mapping, repetition,
// prefetching), and each pass over it, started by Iterate, runs the recipe anew.
//
//	ds := data.FromTensorSlices(train.X, train.Y).
//		Shuffle(10000, 42).
//		Map(augment, 4).
//		Batch(32, false).
//		Prefetch(1)
//	it := ds.Iterate()
//	defer it.Close()
//	for x, y, ok := it.Next(); ok; x, y, ok = it.Next() {
//		// x: [32 28 28] uint8, y: [32] uint8
//	}
//
// An element is a pair of tensors (x, y); y is nil for a data set of inputs only. Before
// Batch an element is one sample (views of the source tensors, sharing their storage);
// Batch stacks elements into new tensors of the elements' dtype, so a data set of uint8
// images stays uint8 and a scaled view (x.DivScalar(255)) becomes float32 one batch at a
// time.
//
// For speed, batch the uint8 images and scale each batch, which keeps it a uint8 view that
// training converts once (a scaled source, x.DivScalar(255), is converted twice: into the
// batch, then by the training loop); with LeNet-5 on MNIST the first trains as fast as
// Fit on tensors:
//
//	scale := func(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor) { return x.DivScalar(255), y }
//	ds := data.FromTensorSlices(train.X, train.Y).Shuffle(60000, 1).Batch(32, false).Map(scale, 1)
//
// Every stage is deterministic: a Shuffle with a given seed gives the same orders on every
// run (a different one on each pass, as tf.data's reshuffle_each_iteration), and Map keeps
// the order of the elements whatever the number of workers.
//
// A Dataset implements dl.Dataset, so that a model trains on it with FitDataset.
package data

import (
	"fmt"
	"runtime"

	"godl.dev/godl/dl"
)

// The cardinalities of a data set that has no finite count, as tf.data's constants.
const (
	Infinite = -1 // Repeat without a count
	Unknown  = -2 // not known before iterating
)

var _ dl.Dataset = (*Dataset)(nil)

// Dataset is an immutable description of a pipeline. Its methods return new Datasets; the
// same Dataset may be iterated any number of times, and by several iterators at once.
type Dataset struct {
	open func() iter // starts one pass
	card int         // number of elements, or Infinite or Unknown
	desc string      // the stages, for String
}

// iter is one pass over a stage. next is called by one goroutine at a time; close
// releases the goroutines the pass started and is safe to call more than once.
type iter interface {
	next() (x, y *dl.Tensor, ok bool)
	close()
}

// MapFunc transforms one element (or one batch, after Batch). It may be a compiled function
// or one written in a notebook cell; y is nil for a data set without labels.
type MapFunc func(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor)

// FromTensorSlices returns the data set of the slices of x and y along their first axis,
// as tf.data.Dataset.from_tensor_slices((x, y)): element i is (x[i], y[i]), views sharing
// the tensors' storage. y may be nil; otherwise both must have the same first dimension.
func FromTensorSlices(x, y *dl.Tensor) *Dataset {
	if x == nil || x.Rank() == 0 {
		panic(fmt.Errorf("data: FromTensorSlices: x must have a first axis to slice along"))
	}
	n := x.Dim(0)
	if y != nil && (y.Rank() == 0 || y.Dim(0) != n) {
		panic(fmt.Errorf("data: FromTensorSlices: x %v and y %v must have the same first dimension", x.Shape(), y.Shape()))
	}
	desc := fmt.Sprintf("FromTensorSlices(x %v %v", x.Shape(), x.DType())
	if y != nil {
		desc += fmt.Sprintf(", y %v %v", y.Shape(), y.DType())
	}
	return &Dataset{
		open: func() iter { return &sliceIter{x: x, y: y, n: n} },
		card: n,
		desc: desc + ")",
	}
}

type sliceIter struct {
	x, y *dl.Tensor
	i, n int
}

func (s *sliceIter) next() (x, y *dl.Tensor, ok bool) {
	if s.i >= s.n {
		return nil, nil, false
	}
	x = s.x.Index(s.i)
	if s.y != nil {
		y = s.y.Index(s.i)
	}
	s.i++
	return x, y, true
}

func (s *sliceIter) close() {}

// Cardinality returns the number of elements of one pass, Infinite, or Unknown.
func (d *Dataset) Cardinality() int { return d.card }

// String lists the stages: "Dataset: FromTensorSlices(x [60000 28 28] uint8, …) → Batch(32)".
func (d *Dataset) String() string {
	s := "Dataset: " + d.desc
	switch d.card {
	case Infinite:
		s += " (infinite)"
	case Unknown:
		s += " (unknown length)"
	default:
		s += fmt.Sprintf(" (%d elements)", d.card)
	}
	return s
}

func (d *Dataset) then(stage string, open func() iter, card int) *Dataset {
	return &Dataset{open: open, card: card, desc: d.desc + " → " + stage}
}

// Iterator is one pass over a Dataset. It is not safe for concurrent use. Close it when
// stopping before the end, to release the goroutines of Map and Prefetch stages.
type Iterator struct {
	it   iter
	done bool
}

// Iterate starts a pass over the data set. The result is a *Iterator; its static type is
// dl.DatasetIterator so that *Dataset implements dl.Dataset.
func (d *Dataset) Iterate() dl.DatasetIterator { return d.Iter() }

// Iter starts a pass over the data set, as iter(ds) in Python. An iterator dropped
// without Close is closed by the garbage collector, eventually.
func (d *Dataset) Iter() *Iterator {
	it := &Iterator{it: d.open()}
	runtime.AddCleanup(it, func(i iter) { i.close() }, it.it)
	return it
}

// Next returns the next element, as next(it) in Python; ok is false at the end of the
// pass (and forever after). A panic in a Map function, in whichever worker it ran,
// surfaces here.
func (it *Iterator) Next() (x, y *dl.Tensor, ok bool) {
	if it.done {
		return nil, nil, false
	}
	x, y, ok = it.it.next()
	if !ok {
		it.Close()
	}
	return x, y, ok
}

// Close ends the pass early, stopping its goroutines. It is safe to call more than once.
func (it *Iterator) Close() {
	if !it.done {
		it.done = true
		it.it.close()
	}
}

// First returns the first element of a new pass, as next(iter(ds)) in Python. It panics
// if the data set is empty.
func (d *Dataset) First() (x, y *dl.Tensor) {
	it := d.Iter()
	defer it.Close()
	x, y, ok := it.Next()
	if !ok {
		panic(fmt.Errorf("data: First: the data set is empty (%s)", d.desc))
	}
	return x, y
}

// ForEach calls fn with each element of one pass, in order, and stops early when fn
// returns false.
func (d *Dataset) ForEach(fn func(x, y *dl.Tensor) bool) {
	it := d.Iter()
	defer it.Close()
	for x, y, ok := it.Next(); ok; x, y, ok = it.Next() {
		if !fn(x, y) {
			return
		}
	}
}
