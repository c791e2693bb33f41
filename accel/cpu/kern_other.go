//go:build !amd64 || noasm

package cpu

// hasAsmKernel reports whether an assembly micro-kernel can run here; in this build none is
// compiled in.
func hasAsmKernel() bool { return false }

var asmKernel microKernel = kernGeneric

var (
	asmOffB offBKernel = kernOffBGeneric
	asmDot  dotKernel  = kernDotGeneric
)

var (
	asmBiasReLU biasReLUFunc = biasReLUGeneric
	asmScatter  scatterFunc  = scatterGeneric
)

var (
	asmPixA  pixAKernel  = kernPixAGeneric
	asmPixAT pixATKernel = kernPixATGeneric
)

var asmMaxPoolRow maxPoolRowFunc = maxPoolRowGeneric

var asmReLUBackward reluBackwardFunc = reluBackwardGeneric

var asmPackBT16 packBT16Func = packBT16Generic

var asmGather gatherFunc = gatherGeneric

var asmPackAT6 packAT6Func = packAT6Generic

var (
	asmTransposeOut8 transposeOut8Func = transposeOut8Generic
	asmTransposeIn8  transposeIn8Func  = transposeIn8Generic
)

var asmScatterAdd scatterAddFunc = scatterAddGeneric

var asmAddRows addRowsFunc = addRowsGeneric

var asmAct actFunc = actGeneric

var asmSigTanhBackward sigTanhBackwardFunc = sigTanhBackwardGeneric

// prefetchLines does nothing in this build.
func prefetchLines(p *uint8, n int) {}

var asmOrRow orRowFunc = orRowGeneric
