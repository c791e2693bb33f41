//go:build amd64 && !noasm

package cpu

// kernOffBAVX2 is kernOffBGeneric in AVX2 + FMA assembly.
//
//go:noescape
func kernOffBAVX2(kc int, a, b *float32, off *int, c *float32, ldc int, acc bool)

// kernDotAVX2 is kernDotGeneric in AVX2 + FMA assembly.
//
//go:noescape
func kernDotAVX2(n int, a *float32, lda int, b0, b1 *float32, c *float32, ldc int)

var (
	asmOffB offBKernel = kernOffBAVX2
	asmDot  dotKernel  = kernDotAVX2
)
