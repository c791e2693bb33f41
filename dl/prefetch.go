package dl

import (
	"runtime"
	"sync/atomic"
)

// Prefetching Fit's batches on a second core.
//
// Converting a batch (gathering its shuffled samples out of a data set of tens of
// megabytes and turning bytes into float32) is serial work between two training steps: a
// fifth of an MNIST MLP epoch on one core, mostly waiting for memory. With more than one
// core, Fit's batch source converts batch k+1 into a second set of buffers on a helper
// goroutine while the step of batch k runs, and swaps the sets when batch k+1 is due.
//
// The helper needs no spinning and no idle core to pay: it is woken once a step, a whole
// step ahead of need. Whatever part of the batch it has not claimed when the batch is due
// (the helper was late to start, or the machine is busy), the caller converts itself, a
// chunk of rows at a time, so a prefetched batch never costs more than converting it
// inline plus a few atomic operations. The rows are the same whoever converts them, so
// results do not depend on the number of cores.

// prefetchChunk is the number of samples claimed at a time by the helper or the caller.
const prefetchChunk = 8

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
	var seq uint64
	defer func() {
		if e := recover(); e != nil {
			p.failed.CompareAndSwap(nil, &prefetchPanic{e})
			for {
				w := p.job.Load()
				s, chunks, next := jobFields(w)
				if s != seq || p.job.CompareAndSwap(w, jobWord(s, chunks, chunks)) {
					p.done.Add(int64(1 + chunks - min(next, chunks)))
					return
				}
			}
		}
	}()
	for {
		w := p.job.Load()
		s, chunks, next := jobFields(w)
		if next >= chunks {
			return
		}
		if !p.job.CompareAndSwap(w, w+1) {
			continue
		}
		seq = s
		lo := int(next) * prefetchChunk
		p.r.fillRows(&p.bufs, p.x, p.y, p.idx, lo, min(lo+prefetchChunk, len(p.idx)))
		p.done.Add(1)
	}
}

// post starts converting samples idx of x and y into the prefetcher's buffers. The caller
// must not change idx, x or y until take.
func (p *batchPrefetcher) post(x, y *Tensor, idx []int) {
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

// finish converts what the helper has not claimed, waits for the chunks it is converting,
// and re-raises a panic from any of them.
func (p *batchPrefetcher) finish() {
	p.drain()
	for p.done.Load() < p.chunks {
		runtime.Gosched()
	}
	p.pending = false
	if f := p.failed.Swap(nil); f != nil {
		panic(f.v)
	}
}

// take finishes the posted job and makes its batch the runner's current one.
func (p *batchPrefetcher) take() {
	p.finish()
	p.r.buf, p.bufs = p.bufs, p.r.buf
	p.r.viewBufs(&p.r.buf, p.y, len(p.idx))
}

// stop waits for a posted job to end (dropping it) and ends the helper.
func (p *batchPrefetcher) stop() {
	defer close(p.wake)
	if p.pending {
		p.finish()
	}
}
