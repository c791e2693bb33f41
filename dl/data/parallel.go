package data

// Map and Prefetch run in goroutines of their own. Each pass's goroutines stop when the
// pass ends or its iterator is closed (done is closed); a panic in one of them (a Map
// function's, or an upstream stage's) is carried to the consumer and raised again by
// Iterator.Next, so that it shows as the cell's error instead of killing the process.

import (
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"godl.dev/godl/dl"
)

// result is one element, or the panic that replaced it.
type result struct {
	x, y *dl.Tensor
	ok   bool
	err  any
}

// stagePanic is a panic raised in a pipeline goroutine, with the stack where it happened.
type stagePanic struct {
	stage string
	value any
	stack []byte
}

func (p *stagePanic) Error() string {
	return fmt.Sprintf("data: %s: panic: %v\n\n%s", p.stage, p.value, p.stack)
}

// Unwrap returns the panic value when it is an error, so that errors.As finds a dl.Error.
func (p *stagePanic) Unwrap() error {
	err, _ := p.value.(error)
	return err
}

// Map returns the data set of fn applied to each element of d, as tf.data's
// map(fn, num_parallel_calls): with workers > 1, that many goroutines call fn at once
// (fn must then be safe for concurrent use: it should not write shared state), and the
// elements still come out in d's order. workers < 1 means 1. A panic in fn is raised
// again by the Iterator's Next: a *dl.Error as it is, any other value wrapped in an error
// that names the element's index.
func (d *Dataset) Map(fn MapFunc, workers int) *Dataset {
	if fn == nil {
		panic(fmt.Errorf("data: Map: the function is nil"))
	}
	workers = max(workers, 1)
	name := fmt.Sprintf("Map(%d workers)", workers)
	call := func(x, y *dl.Tensor, _ int) (*dl.Tensor, *dl.Tensor) { return fn(x, y) }
	return d.then(name, func() iter { return newMapIter(d.open(), call, workers, name) }, d.card)
}

// SeededMapFunc is a MapFunc that also receives a seed of its own for each element, for
// random augmentation (images.NewRandom(seed)).
type SeededMapFunc func(x, y *dl.Tensor, seed int64) (*dl.Tensor, *dl.Tensor)

// MapSeeded is Map for random transformations: fn receives, with each element, a seed
// that depends only on seed, the pass over the data set (0, 1, … per Dataset value, as
// Shuffle counts them) and the element's position in the pass. So the results are the
// same on every run whatever the number of workers, and differ from pass to pass, as
// tf.data's stateless random ops with a per-element seed do.
func (d *Dataset) MapSeeded(fn SeededMapFunc, workers int, seed int64) *Dataset {
	if fn == nil {
		panic(fmt.Errorf("data: MapSeeded: the function is nil"))
	}
	workers = max(workers, 1)
	name := fmt.Sprintf("MapSeeded(%d workers, seed %d)", workers, seed)
	var passes atomic.Uint64
	return d.then(name, func() iter {
		pass := passes.Add(1) - 1
		call := func(x, y *dl.Tensor, i int) (*dl.Tensor, *dl.Tensor) {
			return fn(x, y, elementSeed(seed, pass, i))
		}
		return newMapIter(d.open(), call, workers, name)
	}, d.card)
}

// elementSeed mixes the three numbers with SplitMix64's finaliser.
func elementSeed(seed int64, pass uint64, i int) int64 {
	z := uint64(seed) ^ pass*0x9e3779b97f4a7c15 ^ uint64(i)*0xbf58476d1ce4e5b9
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return int64(z ^ z>>31)
}

type job struct {
	x, y  *dl.Tensor
	index int
	out   chan result
}

type mapIter struct {
	order   chan chan result // one channel per element, in the upstream order
	done    chan struct{}
	once    sync.Once
	stopped bool
}

func newMapIter(up iter, fn func(x, y *dl.Tensor, index int) (*dl.Tensor, *dl.Tensor), workers int, name string) *mapIter {
	m := &mapIter{order: make(chan chan result, 2*workers), done: make(chan struct{})}
	jobs := make(chan job, workers)
	// The dispatcher reads upstream and hands out the jobs; it alone touches up.
	go func() {
		defer close(jobs)
		defer close(m.order)
		defer up.close()
		for i := 0; ; i++ {
			r, panicked := guard(name+" (reading its input)", func() result {
				x, y, ok := up.next()
				return result{x: x, y: y, ok: ok}
			})
			if panicked {
				c := make(chan result, 1)
				c <- r
				select {
				case m.order <- c:
				case <-m.done:
				}
				return
			}
			if !r.ok {
				return
			}
			j := job{x: r.x, y: r.y, index: i, out: make(chan result, 1)}
			select {
			case m.order <- j.out:
			case <-m.done:
				return
			}
			select {
			case jobs <- j:
			case <-m.done:
				return
			}
		}
	}()
	for w := 0; w < workers; w++ {
		go func() {
			for j := range jobs {
				r, _ := guard(fmt.Sprintf("%s, element %d", name, j.index), func() result {
					x, y := fn(j.x, j.y, j.index)
					return result{x: x, y: y, ok: true}
				})
				j.out <- r
			}
		}()
	}
	return m
}

// guard runs f, turning a panic into a result carrying a *stagePanic.
func guard(stage string, f func() result) (r result, panicked bool) {
	defer func() {
		if v := recover(); v != nil {
			switch v.(type) {
			case *stagePanic, *dl.Error:
				// From a stage further up, which named its place; or a dl error, kept
				// as it is so that dl.Maybe and the kernel's rendering still see it.
				r, panicked = result{err: v}, true
				return
			}
			r, panicked = result{err: &stagePanic{stage: stage, value: v, stack: debug.Stack()}}, true
		}
	}()
	return f(), false
}

func (m *mapIter) next() (x, y *dl.Tensor, ok bool) {
	if m.stopped {
		return nil, nil, false
	}
	c, open := <-m.order
	if !open {
		return nil, nil, false
	}
	r := <-c
	if r.err != nil {
		m.close()
		panic(r.err)
	}
	return r.x, r.y, true
}

func (m *mapIter) close() {
	m.stopped = true
	m.once.Do(func() { close(m.done) })
}

// Prefetch returns d with up to n elements prepared ahead by a goroutine while the
// consumer works, as tf.data's prefetch(n). n < 1 means 1.
func (d *Dataset) Prefetch(n int) *Dataset {
	n = max(n, 1)
	name := fmt.Sprintf("Prefetch(%d)", n)
	return d.then(name, func() iter { return newPrefetchIter(d.open(), n, name) }, d.card)
}

type prefetchIter struct {
	ch      chan result
	done    chan struct{}
	once    sync.Once
	stopped bool
}

func newPrefetchIter(up iter, n int, name string) *prefetchIter {
	p := &prefetchIter{ch: make(chan result, n), done: make(chan struct{})}
	go func() {
		defer close(p.ch)
		defer up.close()
		for {
			r, panicked := guard(name+" (reading its input)", func() result {
				x, y, ok := up.next()
				return result{x: x, y: y, ok: ok}
			})
			if !panicked && !r.ok {
				return
			}
			select {
			case p.ch <- r:
			case <-p.done:
				return
			}
			if panicked {
				return
			}
		}
	}()
	return p
}

func (p *prefetchIter) next() (x, y *dl.Tensor, ok bool) {
	if p.stopped {
		return nil, nil, false
	}
	r, open := <-p.ch
	if !open {
		return nil, nil, false
	}
	if r.err != nil {
		p.close()
		panic(r.err)
	}
	return r.x, r.y, true
}

func (p *prefetchIter) close() {
	p.stopped = true
	p.once.Do(func() { close(p.done) })
}
