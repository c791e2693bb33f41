//go:build amd64 && !noasm

package cpu

// kernPixAAVX2 is kernPixAGeneric in AVX2 + FMA assembly.
//
//go:noescape
func kernPixAAVX2(kc int, x *float32, bases *int, off *int, b *float32, c *float32, ldc int, acc bool)

// kernPixATAVX2 is kernPixATGeneric in AVX2 + FMA assembly.
//
//go:noescape
func kernPixATAVX2(n int, x *float32, bases *int, offs *int, dy *float32, lddy int, c *float32, ldc int, acc bool)

var (
	asmPixA  pixAKernel  = kernPixAAVX2
	asmPixAT pixATKernel = kernPixATAVX2
)
