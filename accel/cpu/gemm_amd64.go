//go:build amd64 && !noasm

package cpu

// kernAVX2 is the micro-kernel (see microKernel) in AVX2 + FMA assembly: twelve 8-lane
// accumulators hold the 6×16 tile of C while kc rank-1 updates stream through them.
// In Go it is kernGeneric, up to the rounding of fused multiply-adds.
//
//go:noescape
func kernAVX2(kc int, a, b *float32, ldb int, c *float32, ldc int, acc bool)

// cpuid executes CPUID with the given leaf and sub-leaf.
func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

// xgetbv0 returns XCR0, the register-state components the OS saves.
func xgetbv0() (eax, edx uint32)

var asmKernel microKernel = kernAVX2

// hasAsmKernel reports whether the processor and OS support AVX2 and FMA (and save YMM
// state), which kernAVX2 needs.
func hasAsmKernel() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv0(); xcr0&6 != 6 { // XMM and YMM state enabled
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}
