//go:build amd64 && !noasm

package cpu

// biasReLUAVX2 is biasReLUGeneric in AVX2 assembly.
//
//go:noescape
func biasReLUAVX2(rows, n int, row *float32, ld int, bias *float32, flags int)

// scatterAVX2 is scatterGeneric in AVX2 assembly.
//
//go:noescape
func scatterAVX2(n int, src, dst *float32, stride int, bias float32, relu bool)

var (
	asmBiasReLU biasReLUFunc = biasReLUAVX2
	asmScatter  scatterFunc  = scatterAVX2
)

// reluBackwardAVX2 is reluBackwardGeneric in AVX2 assembly.
//
//go:noescape
func reluBackwardAVX2(n int, y, dy, dz *float32)

var asmReLUBackward reluBackwardFunc = reluBackwardAVX2

// addRowsAVX2 is addRowsGeneric in AVX2 assembly.
//
//go:noescape
func addRowsAVX2(rows, n int, src *float32, ldsrc int, dst *float32, lddst int)

var asmAddRows addRowsFunc = addRowsAVX2

// sigTanhBackwardAVX2 is sigTanhBackwardGeneric in AVX2 assembly.
//
//go:noescape
func sigTanhBackwardAVX2(n8 int, y, dy, dz *float32, tanh bool)

var asmSigTanhBackward sigTanhBackwardFunc = sigTanhBackwardAVX2
