//go:build amd64 && !noasm

package cpu

// maxPoolRowAVX2 is maxPoolRowGeneric in AVX2 assembly.
//
//go:noescape
func maxPoolRowAVX2(npix int, x *float32, step int, offs *int, ncells, c int, y *float32, arg *int32, base int)

var asmMaxPoolRow maxPoolRowFunc = maxPoolRowAVX2

// scatterAddAVX2 is scatterAddGeneric in assembly.
//
//go:noescape
func scatterAddAVX2(n int, idx *int32, src *float32, dst *float32, lo, size int) (bad int)

var asmScatterAdd scatterAddFunc = scatterAddAVX2
