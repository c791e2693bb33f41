// Package cpu provides the default accel.Backend: float32 kernels for the CPU.
//
// Matrix products run on a cache-blocked, packed SGEMM whose inner loop is a 6×16
// register-blocked micro-kernel. On amd64 with AVX2 and FMA the micro-kernel is written in
// Go assembly and chosen at run time; elsewhere, or when the module is built with the
// "noasm" build tag (go test -tags noasm ./accel/...), a portable pure-Go micro-kernel runs
// instead. The portable kernels are compiled in every build and serve as the reference in
// tests.
//
// Convolutions are lowered to im2col + SGEMM with the bias and activation fused into the
// GEMM epilogue. Work is split across up to runtime.GOMAXPROCS(0) goroutines when the shape
// is large enough for that to pay off; small products stay on the calling goroutine.
// Scratch memory is owned by the backend and reused, so steady-state calls do not allocate.
//
// Importing the package registers its backend with accel (non-primary):
//
//	import _ "godl.dev/godl/accel/cpu"
package cpu

import (
	"runtime"
	"sync"

	"godl.dev/godl/accel"
)

func init() {
	accel.Register(New(), false)
}

// Backend is the CPU implementation of accel.Backend. The zero value is not usable; call
// New. A Backend is safe for concurrent use by several goroutines on disjoint outputs.
type Backend struct {
	name         string
	kern         microKernel
	offB         offBKernel
	dot          dotKernel
	pixA         pixAKernel
	pixAT        pixATKernel
	maxPoolRow   maxPoolRowFunc
	scatterAdd   scatterAddFunc
	reluBackward reluBackwardFunc
	packBT       packBT16Func
	gather       gatherFunc
	tOut         transposeOut8Func
	tIn          transposeIn8Func
	biasReLU     biasReLUFunc
	scatter      scatterFunc
	scrMu        sync.Mutex
	scrFree      []*scratch // reusable scratch, see getScratch
	maxPar       int        // cap on goroutines per call; 0 means runtime.GOMAXPROCS(0)
}

// New returns a CPU backend that uses the fastest micro-kernel this processor supports
// ("cpu/avx2" with AVX2 and FMA on amd64, unless built with the noasm tag, else
// "cpu/generic").
func New() *Backend {
	if hasAsmKernel() {
		return &Backend{name: "cpu/avx2",
			kern: asmKernel, offB: asmOffB, dot: asmDot, pixA: asmPixA, pixAT: asmPixAT,
			maxPoolRow: asmMaxPoolRow, scatterAdd: asmScatterAdd, reluBackward: asmReLUBackward,
			packBT: asmPackBT16, gather: asmGather, tOut: asmTransposeOut8, tIn: asmTransposeIn8,
			biasReLU: asmBiasReLU, scatter: asmScatter}
	}
	return NewGeneric()
}

// NewGeneric returns a CPU backend that uses only the portable pure-Go kernels, whatever the
// processor supports. Tests compare it with New.
func NewGeneric() *Backend {
	return &Backend{name: "cpu/generic",
		kern: kernGeneric, offB: kernOffBGeneric, dot: kernDotGeneric, pixA: kernPixAGeneric, pixAT: kernPixATGeneric,
		maxPoolRow: maxPoolRowGeneric, scatterAdd: scatterAddGeneric, reluBackward: reluBackwardGeneric,
		packBT: packBT16Generic, gather: gatherGeneric, tOut: transposeOut8Generic, tIn: transposeIn8Generic,
		biasReLU: biasReLUGeneric, scatter: scatterGeneric}
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

// threads returns how many goroutines a call may use.
func (b *Backend) threads() int {
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
