package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
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

// Hand-off to workers.
//
// A parked goroutine woken through a channel or futex starts tens to hundreds of
// microseconds later (measured at 70–100 µs on a shared 2-core VM), longer than a whole
// 4 MFLOP product takes on one core: the woken worker arrived after the caller had done
// the work alone, and each call paid the wake-up system call. So a worker that finishes
// (or is woken) spins for spinWindow, polling its mailbox and yielding its P with
// runtime.Gosched so other goroutines still run, before it parks again. Back-to-back
// kernel calls, as in a training loop, find it spinning and hand it work with two atomic
// stores; a call that finds none spinning wakes the parked ones, which then join late or
// not at all (the caller takes every chunk no worker has claimed) and spin for the calls
// that follow.

// spinWindow is how long an idle worker polls for work before parking.
const spinWindow = 200 * time.Microsecond

// Mailbox states.
const (
	mbParked   = iota // blocked on wake; a caller may claim it and must then send on wake
	mbSpinning        // polling; a caller may claim it
	mbClaimed         // a caller is writing item
	mbPosted          // item is ready for the worker
)

// mailbox is how a caller hands one workItem to one worker goroutine. Padded to its own
// cache lines so that polling one worker does not slow the others or the callers.
type mailbox struct {
	state atomic.Uint32
	item  workItem
	wake  chan struct{}
	_     [64]byte
}

var (
	workMu      sync.Mutex
	workStarted int                 // guarded by workMu
	workReady   atomic.Int32        // boxes[:workReady] have a worker goroutine
	boxes       [maxThreads]mailbox // boxes[:workReady] have a worker goroutine
)

// ensureWorkers starts long-lived worker goroutines until n are running. Workers are
// shared by every Backend and never exit; they cost nothing once parked.
func ensureWorkers(n int) {
	workMu.Lock()
	for workStarted < n {
		mb := &boxes[workStarted]
		mb.wake = make(chan struct{}, 1)
		mb.state.Store(mbParked)
		workStarted++
		go mb.worker()
		workReady.Store(int32(workStarted))
	}
	workMu.Unlock()
}

func (mb *mailbox) worker() {
	<-mb.wake
	for {
		// The state is mbPosted here.
		it := mb.item
		mb.item = workItem{}
		if it.call.enter(it.seq) {
			drain(it.j, it.chunks, it.w, &it.call.next)
			it.call.state.Add(^uint64(0)) // leave
		}
		mb.state.Store(mbSpinning)
		if !mb.spin() {
			<-mb.wake
		}
	}
}

// spin polls for work for spinWindow. It reports true when work was posted, false when
// the worker parked itself (and must then wait on wake).
func (mb *mailbox) spin() bool {
	deadline := time.Now().Add(spinWindow)
	for i := 0; ; i++ {
		switch mb.state.Load() {
		case mbPosted:
			return true
		case mbClaimed:
			continue // a caller is writing the item: a few nanoseconds
		}
		if i&15 == 15 && time.Now().After(deadline) {
			if mb.state.CompareAndSwap(mbSpinning, mbParked) {
				return false
			}
			continue // claimed meanwhile
		}
		runtime.Gosched()
	}
}

// post hands it to mb if mb is idle, waking it if it is parked, and reports whether it did.
func (mb *mailbox) post(it workItem) bool {
	for {
		s := mb.state.Load()
		if s != mbSpinning && s != mbParked {
			return false // busy with another call
		}
		if mb.state.CompareAndSwap(s, mbClaimed) {
			mb.item = it
			mb.state.Store(mbPosted)
			if s == mbParked {
				mb.wake <- struct{}{}
			}
			return true
		}
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
// one is taken do nothing. Spinning workers are preferred over parked ones (see
// spinWindow). call is caller-owned scratch, so nothing escapes per call.
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
	w := 1
	// Spinning workers first, then parked ones; busy ones (another caller's) are skipped.
	for pass := 0; pass < 2 && w < workers; pass++ {
		for i, n := 0, int(workReady.Load()); i < n && w < workers; i++ {
			mb := &boxes[i]
			if pass == 0 && mb.state.Load() != mbSpinning {
				continue
			}
			if mb.post(workItem{j: j, chunks: chunks, w: w, call: call, seq: seq}) {
				w++
			}
		}
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
