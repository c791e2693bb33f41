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
// A parked goroutine woken through a channel starts 70–100 µs later on a 2-core VM
// (measured from the send to its first chunk: the futex wake of an idle virtual CPU),
// longer than the MNIST MLP's products take on one core (50–100 µs). Such calls gain
// only from a worker that is already running. So a worker that finishes (or is woken)
// spins for spinWindow, polling its mailbox and yielding its P with runtime.Gosched,
// before it parks again: back-to-back kernel calls, as in a training loop, find it
// spinning and hand it work with two atomic stores.
//
// Spinning pays only while a core is idle. When other processes want the cores, the
// spinner takes CPU time from them and from the caller, and a worker that the OS
// deschedules in the middle of a chunk holds the caller up for a whole time slice
// (milliseconds): measured, the MLP epoch on two cores went from 0.7 s to 1.2–1.4 s
// under a load average of 3. So workers spin only when
//
//   - the other processes left enough cores idle over the last sampleEvery (measured
//     from /proc/stat and this process's own CPU time, see sampleLoad), and
//   - no stall was seen lately: a spinning worker whose clock jumps between two polls,
//     or a caller that waits for a worker's chunk much longer than its own chunks took,
//     means the OS took a core away; each stall stops spinning for a back-off period
//     that doubles with each stall in a row (noteStall).
//
// Kernels split calls too short to repay a parked worker's wake-up only while workers
// may spin (spinReady); otherwise such calls stay whole on the caller, and the schedule
// is the one-core schedule plus the large calls that repay the wake-up.

// spinWindow is how long an idle worker polls for work before parking.
const spinWindow = 200 * time.Microsecond

// stallGap is the pause that marks a stall: a spinning worker's clock jumping this far
// between two polls, or a caller waiting this much longer for the workers than it took
// for its own chunks. The OS deschedules a thread for a time slice, milliseconds; the
// Go scheduler's own hand-offs (a goroutine moving to a thread that must be woken) take
// up to ~100 µs on an idle machine, and at a 100 µs bound they stopped spinning there
// several times a second (MLP-like steps: 20% faster than one core at 1 ms, ~5% at
// 100 µs, on the same idle machine).
const stallGap = time.Millisecond

// Back-off after a stall: the first lasts banMin; each stall within banReset of the
// previous one doubles it, up to banMax.
const (
	banMin   = 20 * time.Millisecond
	banMax   = time.Second
	banReset = 2 * time.Second
)

// clock returns monotonic nanoseconds (one vDSO clock read).
func clock() int64 { return int64(time.Since(clockBase)) }

var clockBase = time.Now()

// stalls is the state of the back-off. stallCount counts stalls, for tests and tuning.
var (
	banUntil   atomic.Int64 // clock() before which workers do not spin
	banLen     atomic.Int64 // length of the last back-off
	lastStall  atomic.Int64 // clock() of the last stall
	stallCount atomic.Int64
)

// noteStall records a stall seen at time now and starts (or lengthens) a back-off.
func noteStall(now int64) {
	stallCount.Add(1)
	d := int64(banMin)
	if l := banLen.Load(); now-lastStall.Load() < int64(banReset) {
		d = min(max(2*l, d), int64(banMax))
	}
	banLen.Store(d)
	lastStall.Store(now)
	banUntil.Store(now + d)
}

// spinAllowed reports whether n idle workers may spin at time now: no stall was seen
// lately, and other processes left a core for each of them and one for the caller.
func spinAllowed(now int64, n int) bool {
	return now >= banUntil.Load() && coresSpare(n)
}

// coresSpare reports whether other processes left, over the last sampled window, a core
// for each of n more busy goroutines and one for the caller.
func coresSpare(n int) bool {
	return spareMilli.Load() >= int64(n+1)*1000-spareSlackMilli
}

// sampleEvery is the window over which other processes' CPU use is measured.
const sampleEvery = 100 * time.Millisecond

// spareSlackMilli is how far (in thousandths of a core) the cores left idle by other
// processes may fall short of one per goroutine of a call while workers still spin:
// /proc/stat counts in 10 ms ticks, so a 100 ms window on two cores is exact to ±0.1.
const spareSlackMilli = 250

// Load samples; the window's start values are guarded by sampling.
var (
	sampling   atomic.Bool  // a caller is taking a sample
	sampleAt   atomic.Int64 // clock() of the last sample, 0 before the first
	spareMilli atomic.Int64 // cores not used by other processes in the last window, ×1000
	lastBusy   float64
	lastTotal  float64
	lastSelf   float64
)

// sampleLoad measures, at most once per sampleEvery, how many cores the other processes
// on the machine used (their CPU seconds per wall second) and stores how many were left
// for this one in spareMilli. Until a first window is measured none are assumed spare;
// where the machine's CPU time cannot be read, all are.
func sampleLoad(now int64) {
	at := sampleAt.Load()
	if at != 0 && now-at < int64(sampleEvery) || !sampling.CompareAndSwap(false, true) {
		return
	}
	busy, total, self, ok := machineCPU()
	switch {
	case !ok:
		spareMilli.Store(1 << 40)
	case at != 0 && total > lastTotal:
		wall := float64(now-at) / 1e9
		others := max(0, (busy-lastBusy)-(self-lastSelf)) / wall
		cores := (total - lastTotal) / wall
		spareMilli.Store(int64((cores - others) * 1000))
	}
	lastBusy, lastTotal, lastSelf = busy, total, self
	sampleAt.Store(now)
	sampling.Store(false)
}

// HelperWelcome reports whether the machine has a core to spare for one more busy thread
// of this process: other processes left enough cores idle over the last sampling window
// (about 100 ms, measured as for spinning workers) for the caller and one more goroutine.
// Code outside the kernels that could hand work to a helper goroutine, such as dl's
// batch prefetching, asks first: when other processes keep the cores busy, one more
// runnable thread only takes time from the caller's. It samples the load when due, and
// reports false until a first window has been measured.
func HelperWelcome() bool {
	sampleLoad(clock())
	return coresSpare(1)
}

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
	rank  int // 1 + the index of the mailbox: its worker spins only with rank others
	_     [64]byte
}

var (
	workMu      sync.Mutex
	workStarted int                 // guarded by workMu
	workReady   atomic.Int32        // boxes[:workReady] have a worker goroutine
	boxes       [maxThreads]mailbox // one per worker goroutine
)

// ensureWorkers starts long-lived worker goroutines until n are running. Workers are
// shared by every Backend and never exit; they cost nothing once parked.
func ensureWorkers(n int) {
	if int(workReady.Load()) >= n {
		return
	}
	workMu.Lock()
	for workStarted < n {
		mb := &boxes[workStarted]
		mb.wake = make(chan struct{}, 1)
		mb.rank = workStarted + 1
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

// spin polls for work for up to spinWindow, while spinning is allowed for mb.rank
// workers. It reports true when work was posted, false when the worker parked
// itself (and must then wait on wake).
func (mb *mailbox) spin() bool {
	start := clock()
	prev := start
	for {
		switch mb.state.Load() {
		case mbPosted:
			return true
		case mbClaimed:
			runtime.Gosched() // a caller is writing the item
			continue
		}
		now := clock()
		if now-prev > int64(stallGap) {
			noteStall(now) // the OS (or another goroutine) held this thread
		}
		prev = now
		if now-start > int64(spinWindow) || !spinAllowed(now, mb.rank) {
			if mb.state.CompareAndSwap(mbSpinning, mbParked) {
				return false
			}
			continue // claimed meanwhile
		}
		runtime.Gosched()
	}
}

// post hands it to mb if mb is idle, waking it if it is parked, and reports whether it
// did.
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

// spinReady reports whether a worker may spin now, so that a call too short to repay a
// parked worker's wake-up may still be split (onto a spinning worker, or onto one woken
// now, which then spins for the calls that follow). It samples the load when due.
func spinReady() bool {
	now := clock()
	sampleLoad(now)
	return spinAllowed(now, 1)
}

// parallel runs the chunks of j on up to workers goroutines (the caller is worker 0) and
// returns when all are done. Chunks are handed out one at a time, so a worker that
// arrives late takes only the chunks the caller has not reached, and workers that arrive
// after the last one is taken do nothing. Spinning workers are preferred over parked
// ones. call is caller-owned scratch, so nothing escapes per call.
func parallel(j job, workers, chunks int, call *callState) {
	workers = min(workers, chunks)
	if workers <= 1 {
		for c := 0; c < chunks; c++ {
			j.run(c, chunks, 0)
		}
		return
	}
	sampleLoad(clock())
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
	t0 := clock()
	drain(j, chunks, 0, &call.next)
	t1 := clock()
	// Close the call to latecomers, then wait for the workers inside to finish their
	// chunks (all chunks are taken by now).
	for {
		s := call.state.Load()
		if call.state.CompareAndSwap(s, s|closedBit) {
			break
		}
	}
	if call.state.Load()&(closedBit-1) == 0 {
		return
	}
	for call.state.Load()&(closedBit-1) != 0 {
		runtime.Gosched()
	}
	// A worker's chunk is no longer than the caller's share; waiting much longer than
	// that means the OS took the worker's core away.
	if t2 := clock(); t2-t1 > t1-t0+int64(stallGap) {
		noteStall(t2)
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
