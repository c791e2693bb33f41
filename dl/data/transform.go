package data

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"

	"godl.dev/godl/dl"
)

// Shuffle returns the data set with its elements shuffled through a buffer of bufferSize
// elements, as tf.data's shuffle(buffer_size, seed): the first bufferSize elements fill
// the buffer, then each output is a random element of the buffer, whose place the next
// input takes. A buffer at least as large as the data set gives a uniform permutation.
// The orders depend only on seed: pass k over the data set (k = 0, 1, …, counted per
// Dataset value) uses a different order, the same one on every run.
func (d *Dataset) Shuffle(bufferSize int, seed int64) *Dataset {
	if bufferSize < 1 {
		panic(fmt.Errorf("data: Shuffle(%d, %d): the buffer size must be positive", bufferSize, seed))
	}
	var passes atomic.Uint64
	return d.then(fmt.Sprintf("Shuffle(%d, seed %d)", bufferSize, seed), func() iter {
		pass := passes.Add(1) - 1
		return &shuffleIter{up: d.open(), size: bufferSize, r: rand.New(rand.NewPCG(uint64(seed), pass))}
	}, d.card)
}

type shuffleIter struct {
	up     iter
	size   int
	r      *rand.Rand
	xs, ys []*dl.Tensor
	filled bool
	ended  bool
}

func (s *shuffleIter) next() (x, y *dl.Tensor, ok bool) {
	if !s.filled {
		s.filled = true
		for len(s.xs) < s.size {
			x, y, ok := s.up.next()
			if !ok {
				s.ended = true
				break
			}
			s.xs, s.ys = append(s.xs, x), append(s.ys, y)
		}
	}
	if len(s.xs) == 0 {
		return nil, nil, false
	}
	i := s.r.IntN(len(s.xs))
	x, y = s.xs[i], s.ys[i]
	if !s.ended {
		if nx, ny, ok := s.up.next(); ok {
			s.xs[i], s.ys[i] = nx, ny
			return x, y, true
		}
		s.ended = true
	}
	last := len(s.xs) - 1
	s.xs[i], s.ys[i] = s.xs[last], s.ys[last]
	s.xs, s.ys = s.xs[:last], s.ys[:last]
	return x, y, true
}

func (s *shuffleIter) close() { s.up.close() }

// Batch returns the data set of batches of size consecutive elements, stacked along a new
// first axis, as tf.data's batch(size, drop_remainder): [28 28] images become [size 28 28].
// The last batch holds the remaining elements unless dropRemainder is set, which drops it
// when it is short. A batch has its elements' dtype, except that scaled views of uint8
// (x.DivScalar(255)) become float32; each batch is a new tensor, which the consumer owns.
// Elements of one batch must have the same shape and dtype.
func (d *Dataset) Batch(size int, dropRemainder bool) *Dataset {
	if size < 1 {
		panic(fmt.Errorf("data: Batch(%d): the batch size must be positive", size))
	}
	card := d.card
	if card >= 0 {
		if dropRemainder {
			card /= size
		} else {
			card = (card + size - 1) / size
		}
	}
	return d.then(fmt.Sprintf("Batch(%d)", size), func() iter {
		return &batchIter{up: d.open(), size: size, drop: dropRemainder}
	}, card)
}

type batchIter struct {
	up     iter
	size   int
	drop   bool
	xs, ys []*dl.Tensor
}

func (b *batchIter) next() (x, y *dl.Tensor, ok bool) {
	b.xs, b.ys = b.xs[:0], b.ys[:0]
	for len(b.xs) < b.size {
		x, y, ok := b.up.next()
		if !ok {
			break
		}
		b.xs, b.ys = append(b.xs, x), append(b.ys, y)
	}
	if len(b.xs) == 0 || b.drop && len(b.xs) < b.size {
		return nil, nil, false
	}
	x = stack(b.xs, "x")
	if b.ys[0] != nil {
		y = stack(b.ys, "y")
	}
	return x, y, true
}

func (b *batchIter) close() { b.up.close() }

// stack copies ts, all of one shape, into a new tensor with a first axis of len(ts).
func stack(ts []*dl.Tensor, what string) *dl.Tensor {
	shape := ts[0].Shape()
	row := ts[0].Size()
	dt := ts[0].DType()
	for _, t := range ts[1:] {
		if t == nil || !t.HasShape(shape...) || t.DType() != dt {
			var got any = nil
			if t != nil {
				got = fmt.Sprintf("%v %v", t.Shape(), t.DType())
			}
			panic(fmt.Errorf("data: Batch: elements' %s differ: %v %v and %v; Map them to one shape first", what, shape, dt, got))
		}
	}
	out := append([]int{len(ts)}, shape...)
	switch dt {
	case dl.Uint8:
		buf := make([]uint8, len(ts)*row)
		for i, t := range ts {
			copy(buf[i*row:], t.Uint8s())
		}
		return dl.FromUint8(buf, out...)
	case dl.Int32:
		buf := make([]int32, len(ts)*row)
		for i, t := range ts {
			copy(buf[i*row:], t.Int32s())
		}
		return dl.FromInt32(buf, out...)
	}
	dst := dl.Zeros(out...)
	for i, t := range ts {
		dst.Index(i).CopyFrom(t)
	}
	return dst
}

// Repeat returns the data set repeated count times, as tf.data's repeat(count); a negative
// count repeats it forever. Each repetition is a new pass over d (a Shuffle before Repeat
// gives each repetition its own order). Repeating an empty data set gives an empty one.
func (d *Dataset) Repeat(count int) *Dataset {
	card := Infinite
	if count >= 0 {
		card = Unknown
		if d.card >= 0 {
			card = d.card * count
		}
	} else if d.card == 0 {
		card = 0
	}
	name := "Repeat()"
	if count >= 0 {
		name = fmt.Sprintf("Repeat(%d)", count)
	}
	return d.then(name, func() iter { return &repeatIter{d: d, left: count} }, card)
}

type repeatIter struct {
	d    *Dataset
	left int // passes still to start; negative: forever
	cur  iter
	got  bool // the current pass gave an element
}

func (r *repeatIter) next() (x, y *dl.Tensor, ok bool) {
	for {
		if r.cur == nil {
			if r.left == 0 {
				return nil, nil, false
			}
			if r.left > 0 {
				r.left--
			}
			r.cur, r.got = r.d.open(), false
		}
		if x, y, ok = r.cur.next(); ok {
			r.got = true
			return x, y, true
		}
		r.cur.close()
		r.cur = nil
		if !r.got { // an empty pass: repeating it would never end
			r.left = 0
		}
	}
}

func (r *repeatIter) close() {
	if r.cur != nil {
		r.cur.close()
		r.cur = nil
	}
	r.left = 0
}

// Take returns the data set of the first n elements of d, as tf.data's take(n).
func (d *Dataset) Take(n int) *Dataset {
	if n < 0 {
		panic(fmt.Errorf("data: Take(%d): the count must not be negative", n))
	}
	card := n
	if d.card >= 0 {
		card = min(n, d.card)
	} else if d.card == Unknown {
		card = Unknown
	}
	return d.then(fmt.Sprintf("Take(%d)", n), func() iter { return &takeIter{up: d.open(), left: n} }, card)
}

type takeIter struct {
	up   iter
	left int
}

func (t *takeIter) next() (x, y *dl.Tensor, ok bool) {
	if t.left <= 0 {
		return nil, nil, false
	}
	t.left--
	return t.up.next()
}

func (t *takeIter) close() { t.up.close() }

// Skip returns d without its first n elements, as tf.data's skip(n).
func (d *Dataset) Skip(n int) *Dataset {
	if n < 0 {
		panic(fmt.Errorf("data: Skip(%d): the count must not be negative", n))
	}
	card := d.card
	if card >= 0 {
		card = max(card-n, 0)
	}
	return d.then(fmt.Sprintf("Skip(%d)", n), func() iter { return &skipIter{up: d.open(), skip: n} }, card)
}

type skipIter struct {
	up   iter
	skip int
}

func (s *skipIter) next() (x, y *dl.Tensor, ok bool) {
	for ; s.skip > 0; s.skip-- {
		if _, _, ok := s.up.next(); !ok {
			s.skip = 0
			return nil, nil, false
		}
	}
	return s.up.next()
}

func (s *skipIter) close() { s.up.close() }
