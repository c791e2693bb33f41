package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// maxThreads caps the goroutines one kernel call uses.
const maxThreads = 8

// maxPartials is the number of chunks (and partial sums) of a filter gradient.
const maxPartials = 8

// job is work cut into chunks; run(c, chunks, w) does chunk c of chunks on worker w,
// whose private scratch is part[w] of the call's scratch.
type job interface {
	run(c, chunks, w int)
}

type workItem struct {
	j         job
	chunks, w int
	call      *callState
	seq       uint64
}

// callState tracks one parallel call: the next chunk to hand out, and in one word the
// call's sequence number (high 32 bits), whether it is closed to late workers (bit 31)
// and how many workers are inside it (low bits).
type callState struct {
	next  atomic.Int64
	state atomic.Uint64
}

const closedBit = 1 << 31

// enter admits a worker into call seq unless the call has closed (or finished).
func (c *callState) enter(seq uint64) bool {
	for {
		s := c.state.Load()
		if s>>32 != seq || s&closedBit != 0 {
			return false
		}
		if c.state.CompareAndSwap(s, s+1) {
			return true
		}
	}
}

var (
	workMu      sync.Mutex
	workStarted int
	workCh      = make(chan workItem, 4*maxThreads)
)

// ensureWorkers starts long-lived worker goroutines until n are running. Workers are
// shared by every Backend and never exit; they cost nothing while idle.
func ensureWorkers(n int) {
	workMu.Lock()
	for workStarted < n {
		workStarted++
		go worker()
	}
	workMu.Unlock()
}

func worker() {
	for it := range workCh {
		if !it.call.enter(it.seq) {
			continue // the caller finished without us
		}
		drain(it.j, it.chunks, it.w, &it.call.next)
		it.call.state.Add(^uint64(0)) // leave
	}
}

// drain runs chunks of j, taking the next free one each time, until none is left.
func drain(j job, chunks, w int, next *atomic.Int64) {
	for {
		c := int(next.Add(1)) - 1
		if c >= chunks {
			return
		}
		j.run(c, chunks, w)
	}
}

// parallel runs the chunks of j on up to workers goroutines (the caller is worker 0) and
// returns when all are done. Chunks are handed out one at a time, so a worker that the
// OS descheduled on a busy machine delays the call by at most the chunk it holds: the
// caller takes every chunk no worker has claimed, and workers that arrive after the last
// one is taken do nothing. call is caller-owned scratch, so nothing escapes per call.
func parallel(j job, workers, chunks int, call *callState) {
	workers = min(workers, chunks)
	if workers <= 1 {
		for c := 0; c < chunks; c++ {
			j.run(c, chunks, 0)
		}
		return
	}
	ensureWorkers(workers - 1)
	seq := (call.state.Load()>>32 + 1) & (1<<32 - 1)
	call.next.Store(0)
	call.state.Store(seq << 32)
	for w := 1; w < workers; w++ {
		workCh <- workItem{j: j, chunks: chunks, w: w, call: call, seq: seq}
	}
	drain(j, chunks, 0, &call.next)
	// Close the call to latecomers, then wait for the workers inside to finish their
	// chunks (all chunks are taken by now).
	for {
		s := call.state.Load()
		if call.state.CompareAndSwap(s, s|closedBit) {
			break
		}
	}
	for call.state.Load()&(closedBit-1) != 0 {
		runtime.Gosched()
	}
}

// split returns the half-open range of part i when n items are divided into parts pieces
// whose boundaries are multiples of align (the last piece takes the remainder).
func split(n, parts, i, align int) (lo, hi int) {
	units := (n + align - 1) / align
	lo = units * i / parts * align
	hi = units * (i + 1) / parts * align
	if lo > n {
		lo = n
	}
	if hi > n {
		hi = n
	}
	return lo, hi
}

// scratch holds the reusable buffers of one kernel call. Backends keep them in a free
// list, so concurrent calls get distinct scratch and steady-state calls allocate nothing.
type scratch struct {
	call    callState // the parallel call in progress
	part    [maxThreads]partScratch
	col     []float32 // dcol, planar or packed-weight buffer shared by the chunks of a conv call
	ct      []float32 // transposed product for Sgemm's swapped orientation
	gj      gemmJob
	cj      col2imJob
	ij      implicitJob
	pj      pixJob
	plj     poolJob
	xpad    []float32 // zero-padded copy of a convolution's input
	bases   []int     // window starts of a convolution's output pixels
	offs    []int     // implicit-GEMM row offsets
	partial []float32 // per-chunk partial filter gradients
}

// partScratch is the private memory of one worker of a parallel call.
type partScratch struct {
	a, b  []float32 // packed panels of A and B
	col   []float32 // a worker's dcol rows or padded planar image
	t     []float32 // a worker's channel-major output of an implicit convolution
	tile  [mr * nr]float32
	ep    epilogue // a column part's slice of the bias
	bias8 [8]float32
	offs  []int // a part's pooling window cells
}

// getScratch takes a scratch from the backend's free list, or makes one. A sync.Pool would
// drop its contents at every garbage collection, and the megabytes of packed panels with
// it; the free list keeps them for the life of the backend (one per concurrent caller).
func (b *Backend) getScratch() *scratch {
	b.scrMu.Lock()
	defer b.scrMu.Unlock()
	if n := len(b.scrFree); n > 0 {
		s := b.scrFree[n-1]
		b.scrFree = b.scrFree[:n-1]
		return s
	}
	return new(scratch)
}

func (b *Backend) putScratch(s *scratch) {
	b.scrMu.Lock()
	b.scrFree = append(b.scrFree, s)
	b.scrMu.Unlock()
}

// grow returns buf resized to n elements, reallocating only when its capacity is short.
func grow(buf *[]float32, n int) []float32 {
	if cap(*buf) < n {
		*buf = make([]float32, n+n/4)
	}
	*buf = (*buf)[:n]
	return *buf
}
