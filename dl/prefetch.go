package dl

import (
	"runtime"
	"sync/atomic"
	"time"

	"godl.dev/godl/accel/cpu"
)

// Prefetching Fit's batches on a second core.
//
// Converting a batch (gathering its shuffled samples out of a data set of tens of
// megabytes and turning bytes into float32) is serial work between two training steps: a
// fifth of an MNIST MLP epoch on one core, mostly waiting for memory. With more than one
// core, Fit's batch source converts batch k+1 into a second set of buffers on a helper
// goroutine while the step of batch k runs, and swaps the sets when batch k+1 is due.
//
// The helper needs no spinning: it is woken once a step, a whole step ahead of need, and
// only while other processes leave a core idle for it (cpu.HelperWelcome): on a machine
// whose other cores are busy, one more runnable thread takes time from the training
// thread. Whatever part of the batch it has not claimed when the batch is due
// (the helper was late to start, or the machine is busy), the caller converts itself, a
// chunk of rows at a time. A chunk the helper holds is waited for only briefly
// (helperWait): on a busy machine the OS may have taken the helper's thread away for a
// whole time slice, and the caller then converts the batch into its own buffers instead,
// and prefetches again once the helper has let go of the other set. So a prefetched batch
// costs at most about two inline conversions, and usually nothing. The rows are the same
// whoever converts them, so results do not depend on the number of cores.

// prefetchChunk is the number of samples claimed at a time by the helper or the caller.
const prefetchChunk = 8

// helperWait is how long the caller waits for chunks the helper is converting (a chunk
// takes about 10 µs) before converting the batch itself.
const helperWait = 50 * time.Microsecond

// helperWelcome reports whether a helper thread may run now (a variable for tests).
var helperWelcome = cpu.HelperWelcome

// prefetchMinElems is the smallest batch (in input elements) worth converting ahead; below
// it the hand-off costs about as much as the conversion.
const prefetchMinElems = 4096

// batchPrefetcher converts one batch ahead into its own buffers on a helper goroutine.
type batchPrefetcher struct {
	r    *runner
	bufs batchBufs // the batch being prefetched, swapped with r.buf when it is taken

	// The job: samples idx of x and y, in chunks of prefetchChunk, published by job, which
	// holds the job's number, its chunk count and the next chunk to claim (see jobWord).
	// done counts finished chunks; a panic while converting one ends the job, counts the
	// chunks nobody will claim as done, and leaves the panic in failed for the caller.
	x, y    *Tensor
	idx     []int
	job     atomic.Uint64
	done    atomic.Int64
	chunks  int64 // the caller's copy of the job's chunk count
	failed  atomic.Pointer[prefetchPanic]
	pending bool // a job was posted and not yet taken
	busy    bool // an abandoned job's chunks may still be in the helper's hands

	wake chan struct{} // one token per posted job; closed to stop the helper
}

// A job word packs the job's number (high bits: a helper holding a stale word cannot claim
// a chunk of a later job), its chunk count and the next chunk to claim.
const (
	jobChunkBits = 24
	jobChunkMask = 1<<jobChunkBits - 1
)

func jobWord(seq, chunks, next uint64) uint64 {
	return seq<<(2*jobChunkBits) | chunks<<jobChunkBits | next
}

func jobFields(w uint64) (seq, chunks, next uint64) {
	return w >> (2 * jobChunkBits), w >> jobChunkBits & jobChunkMask, w & jobChunkMask
}

type prefetchPanic struct{ v any }

// newBatchPrefetcher returns a prefetcher for batches of size samples loaded into r, or nil
// when prefetching cannot pay: one core, or batches too small.
func newBatchPrefetcher(r *runner, size int) *batchPrefetcher {
	if runtime.GOMAXPROCS(0) < 2 || size*r.row < prefetchMinElems || size > prefetchChunk*jobChunkMask {
		return nil
	}
	p := &batchPrefetcher{r: r, wake: make(chan struct{}, 1)}
	go p.helper()
	return p
}

// helper converts each posted job's unclaimed chunks until the prefetcher is stopped.
func (p *batchPrefetcher) helper() {
	for range p.wake {
		p.drain()
	}
}

// drain converts chunks of the current job until none is left to claim. A panic (a
// target the data cannot give, say) ends the job and is kept for the caller.
func (p *batchPrefetcher) drain() {
	defer func() {
		if e := recover(); e != nil {
			p.failed.CompareAndSwap(nil, &prefetchPanic{e})
			// The job cannot be posted anew before this chunk counts as done: it is still
			// the current one.
			p.done.Add(int64(1 + p.closeJob()))
		}
	}()
	for {
		w := p.job.Load()
		_, chunks, next := jobFields(w)
		if next >= chunks {
			return
		}
		if !p.job.CompareAndSwap(w, w+1) {
			continue
		}
		lo := int(next) * prefetchChunk
		p.r.fillRows(&p.bufs, p.x, p.y, p.idx, lo, min(lo+prefetchChunk, len(p.idx)))
		p.done.Add(1)
	}
}

// closeJob stops claims on the current job and returns how many of its chunks were never
// claimed (they will never count themselves done).
func (p *batchPrefetcher) closeJob() uint64 {
	for {
		w := p.job.Load()
		seq, chunks, next := jobFields(w)
		if next >= chunks {
			return 0
		}
		if p.job.CompareAndSwap(w, jobWord(seq, chunks, chunks)) {
			return chunks - next
		}
	}
}

// post starts converting samples idx of x and y into the prefetcher's buffers, unless the
// helper still holds chunks of a job the caller gave up on. The caller must not change idx,
// x or y until take.
func (p *batchPrefetcher) post(x, y *Tensor, idx []int) {
	if runtime.GOMAXPROCS(0) < 2 || !helperWelcome() {
		return // one core, or other processes use the others: the caller converts the batch
	}
	if p.busy {
		if p.done.Load() < p.chunks {
			return
		}
		p.busy = false
		p.failed.Store(nil) // the caller converted that batch itself
	}
	p.r.sizeBufs(&p.bufs, y, len(idx))
	p.x, p.y, p.idx = x, y, idx
	p.chunks = int64((len(idx) + prefetchChunk - 1) / prefetchChunk)
	p.done.Store(0)
	seq, _, _ := jobFields(p.job.Load())
	p.job.Store(jobWord(seq+1, uint64(p.chunks), 0)) // publishes the fields above
	p.pending = true
	select {
	case p.wake <- struct{}{}:
	default: // a token is waiting already: the helper will see this job
	}
}

// take finishes the posted job and makes its batch the runner's current one: it converts
// the chunks nobody has claimed, waits up to helperWait for those the helper is
// converting, and re-raises a panic from any of them. It reports false, leaving the batch
// to the caller, when the helper did not finish in time.
func (p *batchPrefetcher) take() bool {
	p.pending = false
	p.drain()
	if p.done.Load() < p.chunks {
		start := time.Now()
		for p.done.Load() < p.chunks {
			if time.Since(start) > helperWait {
				p.busy = true
				return false
			}
			runtime.Gosched()
		}
	}
	if f := p.failed.Swap(nil); f != nil {
		panic(f.v)
	}
	p.r.buf, p.bufs = p.bufs, p.r.buf
	p.r.viewBufs(&p.r.buf, p.y, len(p.idx))
	return true
}

// stop ends the helper. A job still posted (or abandoned) is dropped: its unclaimed chunks
// are counted as done, and stop waits for a chunk the helper is converting, since it reads
// the caller's sample order, which the next epoch rewrites.
func (p *batchPrefetcher) stop() {
	defer close(p.wake)
	if !p.pending && !p.busy {
		return
	}
	p.done.Add(int64(p.closeJob()))
	for p.done.Load() < p.chunks {
		runtime.Gosched()
	}
	p.pending, p.busy = false, false
	p.failed.Store(nil)
}

// orderedBatches loads consecutive batches of x (and of y, unless nil) into a runner for
// Evaluate and Predict, converting each batch ahead on another core as Fit does.
type orderedBatches struct {
	r        *runner
	x, y     *Tensor
	size, n  int
	start    int
	inOrder  []int // 0, 1, …, n-1: batches are slices of it, never rewritten
	prefetch *batchPrefetcher
}

func newOrderedBatches(r *runner, x, y *Tensor, size int) *orderedBatches {
	n := x.shape[0]
	return &orderedBatches{r: r, x: x, y: y, size: size, n: n, inOrder: r.samplesInOrder(n),
		prefetch: newBatchPrefetcher(r, min(size, n))}
}

// next loads the next batch and returns its first sample and its size; ok is false after
// the last batch.
func (b *orderedBatches) next() (start, size int, ok bool) {
	if b.start >= b.n {
		return 0, 0, false
	}
	lo, hi := b.start, min(b.start+b.size, b.n)
	if p := b.prefetch; p == nil || !p.pending || !p.take() {
		b.r.gather(b.x, b.y, b.inOrder[lo:hi])
	}
	b.start = hi
	if b.prefetch != nil && hi < b.n {
		b.prefetch.post(b.x, b.y, b.inOrder[hi:min(hi+b.size, b.n)])
	}
	return lo, hi - lo, true
}

// stop ends the prefetching helper, if any.
func (b *orderedBatches) stop() {
	if b.prefetch != nil {
		b.prefetch.stop()
		b.prefetch = nil
	}
}

// samplesInOrder returns 0, 1, …, n-1. The slice is kept for later calls and replaced, never
// rewritten, when a longer one is needed: a helper may still read an old one.
func (r *runner) samplesInOrder(n int) []int {
	if len(r.inOrder) < n {
		r.inOrder = appendRange(make([]int, 0, n), 0, n)
	}
	return r.inOrder[:n]
}
