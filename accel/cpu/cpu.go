// Package cpu provides the default accel.Backend: float32 kernels for the CPU.
//
// # Kernels
//
// Matrix products (Sgemm, Dense) run on a cache-blocked SGEMM whose inner loop is a 6×16
// register-blocked micro-kernel; A is packed in 6-row panels, B in 16-column panels
// (transposed B by 8×8 register transposes), except that a row-major B feeding few rows
// of C is read in place. Bias and activation are applied to each tile of C as its last
// depth block finishes.
//
// Convolutions choose, per shape, the layout that fills the vector lanes best:
//
//   - pixel-list kernels (conv_pix.go) for 16 filters or more, any stride: the filters
//     are on the 16-lane axis, each output pixel's window is found through a table of
//     window starts and kernel offsets, so no im2col matrix is built and each tile of y
//     is written in place (NHWC) with its bias and activation; the filter gradient is
//     the same walk with offsets and pixels exchanged;
//   - implicit transposed GEMMs (conv_implicit.go) for stride 1 and few channels, such as
//     LeNet-5's first layer (C·KH·KW = 25, 6 filters): output width on the vector axis,
//     the zero-padded planar image read in place through an offset table (a direct
//     vectorised convolution), the data gradient as the flipped correlation of dy, the
//     filter gradient on a 6×2 dot-product kernel;
//   - dcol = dy·Wᵀ by SGEMM and a vectorised col2im (conv.go) for the data gradient of
//     strided convolutions, and of "valid" ones whose implicit form would mostly
//     multiply dy's zero padding (LeNet-5's second layer).
//
// Max pooling walks 8-channel vectors per window; its backward pass is a checked
// scatter-add. SoftmaxCrossEntropy fuses the softmax, the mean negative log-likelihood
// and its gradient. ActivationBackward applies an activation's derivative from its output.
//
// # Code paths
//
// On amd64 with AVX2 and FMA (detected at run time with CPUID/XGETBV) every kernel above
// has a Go assembly inner loop ("cpu/avx2"). Elsewhere, or when built with the "noasm"
// tag, portable Go twins run instead ("cpu/generic"). The twins are compiled in every
// build: tests run the whole conformance suite (package accel/acceltest) on both and
// compare each assembly routine with its twin. Run the tests both ways:
//
//	go test ./accel/...
//	go test -tags noasm ./accel/...
//
// There is no AVX-512 path: the development machine lacks AVX-512, and untested
// assembly is not shipped.
//
// # Threads and memory
//
// Work is split across up to runtime.GOMAXPROCS(0) goroutines (see Backend.SetMaxThreads)
// by rows or columns of C, by output pixels or by images, when the call is large enough
// for that to pay; smaller calls stay on the calling goroutine. Waking a parked worker
// takes 70–100 µs on a 2-core VM, so a call is handed to parked workers only from about
// 4 MFLOP for a convolution and 16 MFLOP for a product. Products from 2 MFLOP (such as
// the MNIST MLP's, ~50 µs each) are split onto workers that are already running: an
// idle worker spins for up to 200 µs before parking, but only while the other processes
// on the machine leave a core idle (sampled from /proc/stat every 100 ms) and no stall
// (a worker descheduled by the OS) was seen lately; otherwise such calls run on the
// caller alone, as on one core. Even then, such a product is split only while splitting
// its size class has measured faster than computing it whole (the slower mode is timed
// again every 16 calls), since on a VM whether it pays changes from run to run. A
// product's own time does not show what splitting it costs the work around it, so a
// caller that can measure more (dl's training loop times whole steps) may narrow what is
// split with SetSplitPolicy. Which goroutine computes which part never changes the
// result: it is the same bits on any number of cores. Scratch memory is owned by the
// backend and reused, so steady-state calls allocate nothing.
//
// Benchmarks report GFLOP/s per wall second and, for one goroutine, per CPU second of the
// calling thread (more stable on a shared machine):
//
//	go test -run XXX -bench . ./accel/cpu
//
// Importing the package registers its backend with accel (non-primary):
//
//	import _ "godl.dev/godl/accel/cpu"
package cpu

import (
	"runtime"
	"sync"
	"sync/atomic"

	"godl.dev/godl/accel"
)

func init() {
	accel.Register(New(), false)
}

// Backend is the CPU implementation of accel.Backend. The zero value is not usable; call
// New. A Backend is safe for concurrent use by several goroutines on disjoint outputs.
type Backend struct {
	name            string
	kern            microKernel
	offB            offBKernel
	dot             dotKernel
	pixA            pixAKernel
	pixAT           pixATKernel
	maxPoolRow      maxPoolRowFunc
	scatterAdd      scatterAddFunc
	addRows         addRowsFunc
	reluBackward    reluBackwardFunc
	packBT          packBT16Func
	packAT          packAT6Func
	gather          gatherFunc
	tOut            transposeOut8Func
	tIn             transposeIn8Func
	biasReLU        biasReLUFunc
	act             actFunc
	sigTanhBackward sigTanhBackwardFunc
	scatter         scatterFunc
	scrMu           sync.Mutex
	scrFree         []*scratch // reusable scratch, see getScratch
	maxPar          int        // cap on goroutines per call; 0 means runtime.GOMAXPROCS(0)
}

// New returns a CPU backend that uses the fastest micro-kernel this processor supports
// ("cpu/avx2" with AVX2 and FMA on amd64, unless built with the noasm tag, else
// "cpu/generic").
func New() *Backend {
	if hasAsmKernel() {
		return &Backend{name: "cpu/avx2",
			kern: asmKernel, offB: asmOffB, dot: asmDot, pixA: asmPixA, pixAT: asmPixAT,
			maxPoolRow: asmMaxPoolRow, scatterAdd: asmScatterAdd, addRows: asmAddRows, reluBackward: asmReLUBackward,
			packBT: asmPackBT16, packAT: asmPackAT6, gather: asmGather, tOut: asmTransposeOut8, tIn: asmTransposeIn8,
			biasReLU: asmBiasReLU, scatter: asmScatter, act: asmAct,
			sigTanhBackward: asmSigTanhBackward}
	}
	return NewGeneric()
}

// NewGeneric returns a CPU backend that uses only the portable pure-Go kernels, whatever the
// processor supports. Tests compare it with New.
func NewGeneric() *Backend {
	return &Backend{name: "cpu/generic",
		kern: kernGeneric, offB: kernOffBGeneric, dot: kernDotGeneric, pixA: kernPixAGeneric, pixAT: kernPixATGeneric,
		maxPoolRow: maxPoolRowGeneric, scatterAdd: scatterAddGeneric, addRows: addRowsGeneric, reluBackward: reluBackwardGeneric,
		packBT: packBT16Generic, packAT: packAT6Generic, gather: gatherGeneric, tOut: transposeOut8Generic, tIn: transposeIn8Generic,
		biasReLU: biasReLUGeneric, scatter: scatterGeneric, act: actGeneric,
		sigTanhBackward: sigTanhBackwardGeneric}
}

// Name reports "cpu/avx2" or "cpu/generic", the micro-kernel in use.
func (b *Backend) Name() string { return b.name }

// SetMaxThreads caps the number of goroutines one kernel call may use; n <= 0 restores the
// default, runtime.GOMAXPROCS(0). It is meant for benchmarks that compare 1 and 2 cores
// without changing GOMAXPROCS, and must not be called concurrently with kernels.
func (b *Backend) SetMaxThreads(n int) {
	if n < 0 {
		n = 0
	}
	b.maxPar = n
}

// SplitPolicy says which kernel calls may be split across goroutines.
type SplitPolicy int32

const (
	// SplitAll, the default: calls long enough to repay waking a parked worker are split,
	// and shorter products (2 to 16 MFLOP) are split onto workers already spinning, while
	// their measured times say it pays.
	SplitAll SplitPolicy = iota
	// SplitLarge splits only the calls long enough to repay waking a parked worker.
	SplitLarge
	// SplitNone keeps every call on its caller's goroutine, as on one core.
	SplitNone
)

// splitPolicy is the policy of every Backend (SetSplitPolicy).
var splitPolicy atomic.Int32

// SetSplitPolicy sets which kernel calls of every Backend may be split across goroutines.
// Results are the same under every policy. It is for a caller that measures which is
// fastest as it goes, such as dl's training loop: on a virtual machine, whether a second
// core pays can change from one second to the next (with what the host runs beside it),
// and a product's own time does not show what splitting it costs the work around it.
func SetSplitPolicy(p SplitPolicy) { splitPolicy.Store(int32(p)) }

// threads returns how many goroutines a call may use.
func (b *Backend) threads() int {
	if SplitPolicy(splitPolicy.Load()) == SplitNone {
		return 1
	}
	p := runtime.GOMAXPROCS(0)
	if b.maxPar > 0 && b.maxPar < p {
		p = b.maxPar
	}
	if p > maxThreads {
		p = maxThreads
	}
	return p
}

var _ accel.Backend = (*Backend)(nil)
