package cpu

import "sync"

// maxThreads caps the goroutines one kernel call uses.
const maxThreads = 8

// job is work split into parts that run concurrently; run(i, n) does part i of n.
type job interface {
	run(part, parts int)
}

type workItem struct {
	j           job
	part, parts int
	wg          *sync.WaitGroup
}

var (
	workMu      sync.Mutex
	workStarted int
	workCh      = make(chan workItem, maxThreads)
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
	for w := range workCh {
		w.j.run(w.part, w.parts)
		w.wg.Done()
	}
}

// parallel runs j's parts 0..parts-1, part 0 on the calling goroutine and the others on
// workers, and returns when all are done. wg is caller-owned scratch so that nothing
// escapes to the heap per call.
func parallel(j job, parts int, wg *sync.WaitGroup) {
	if parts <= 1 {
		j.run(0, 1)
		return
	}
	ensureWorkers(parts - 1)
	wg.Add(parts - 1)
	for i := 1; i < parts; i++ {
		workCh <- workItem{j: j, part: i, parts: parts, wg: wg}
	}
	j.run(0, parts)
	wg.Wait()
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
	wg    sync.WaitGroup
	part  [maxThreads]partScratch
	col   []float32 // im2col / col2im buffer shared by the parts of a conv call
	ct    []float32 // transposed product for Sgemm's swapped orientation
	gj    gemmJob
	cj    col2imJob
	ij    implicitJob
	pj    pixJob
	plj   poolJob
	xpad  []float32 // zero-padded copy of a convolution's input
	bases []int     // window starts of a convolution's output pixels
	offs  []int     // implicit-GEMM row offsets
}

// partScratch is the private memory of one part of a parallel call.
type partScratch struct {
	a, b  []float32 // packed panels of A and B
	b2    []float32 // a part's partial filter gradient
	col   []float32 // per-part im2col rows or padded planar image
	t     []float32 // per-part transposed output tile of an implicit convolution
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
