//go:build amd64 && !noasm

package cpu

// packBT16AVX2 is packBT16Generic in AVX2 assembly (8×8 register transposes).
//
//go:noescape
func packBT16AVX2(k8 int, b *float32, ldb int, dst *float32)

var asmPackBT16 packBT16Func = packBT16AVX2

// gatherAVX2 is gatherGeneric in AVX2 assembly.
//
//go:noescape
func gatherAVX2(n int, src *float32, stride int, dst *float32)

var asmGather gatherFunc = gatherAVX2

// packAT6AVX2 is packAT6Generic in AVX assembly.
//
//go:noescape
func packAT6AVX2(kcb int, a *float32, lda int, alpha float32, dst *float32)

var asmPackAT6 packAT6Func = packAT6AVX2

// prefetchLines asks the processor to bring the n bytes at p into its caches.
//
//go:noescape
func prefetchLines(p *uint8, n int)

// orRowAVX2 is orRowGeneric in AVX2 assembly.
//
//go:noescape
func orRowAVX2(n8 int, src *float32, acc *uint32)

var asmOrRow orRowFunc = orRowAVX2
