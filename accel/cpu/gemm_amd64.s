//go:build amd64 && !noasm

#include "textflag.h"

// One rank-1 update of the 6×16 accumulators Y0..Y11 with the B row at DI and the six A
// values at SI+off.
#define STEP(off) \
	VMOVUPS      (DI), Y12            \
	VMOVUPS      32(DI), Y13          \
	VBROADCASTSS (off+0)(SI), Y14     \
	VFMADD231PS  Y12, Y14, Y0         \
	VFMADD231PS  Y13, Y14, Y1         \
	VBROADCASTSS (off+4)(SI), Y15     \
	VFMADD231PS  Y12, Y15, Y2         \
	VFMADD231PS  Y13, Y15, Y3         \
	VBROADCASTSS (off+8)(SI), Y14     \
	VFMADD231PS  Y12, Y14, Y4         \
	VFMADD231PS  Y13, Y14, Y5         \
	VBROADCASTSS (off+12)(SI), Y15    \
	VFMADD231PS  Y12, Y15, Y6         \
	VFMADD231PS  Y13, Y15, Y7         \
	VBROADCASTSS (off+16)(SI), Y14    \
	VFMADD231PS  Y12, Y14, Y8         \
	VFMADD231PS  Y13, Y14, Y9         \
	VBROADCASTSS (off+20)(SI), Y15    \
	VFMADD231PS  Y12, Y15, Y10        \
	VFMADD231PS  Y13, Y15, Y11        \
	ADDQ         DX, DI

// Store (or add into) one row of C at R8 from accumulators lo, hi.
#define ROWOUT(lo, hi) \
	TESTB        BX, BX               \
	JZ           3(PC)                \
	VADDPS       (R8), lo, lo         \
	VADDPS       32(R8), hi, hi       \
	VMOVUPS      lo, (R8)             \
	VMOVUPS      hi, 32(R8)           \
	ADDQ         R9, R8

// func kernAVX2(kc int, a, b *float32, ldb int, c *float32, ldc int, acc bool)
TEXT ·kernAVX2(SB), NOSPLIT, $0-49
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ ldb+24(FP), DX
	SHLQ $2, DX
	MOVQ c+32(FP), R8
	MOVQ ldc+40(FP), R9
	SHLQ $2, R9
	MOVBLZX acc+48(FP), BX

	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	VXORPS Y3, Y3, Y3
	VXORPS Y4, Y4, Y4
	VXORPS Y5, Y5, Y5
	VXORPS Y6, Y6, Y6
	VXORPS Y7, Y7, Y7
	VXORPS Y8, Y8, Y8
	VXORPS Y9, Y9, Y9
	VXORPS Y10, Y10, Y10
	VXORPS Y11, Y11, Y11

	MOVQ CX, AX
	SHRQ $2, AX
	JZ   tail

loop4:
	STEP(0)
	STEP(24)
	STEP(48)
	STEP(72)
	ADDQ $96, SI
	DECQ AX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   done

loop1:
	STEP(0)
	ADDQ $24, SI
	DECQ CX
	JNZ  loop1

done:
	ROWOUT(Y0, Y1)
	ROWOUT(Y2, Y3)
	ROWOUT(Y4, Y5)
	ROWOUT(Y6, Y7)
	ROWOUT(Y8, Y9)
	ROWOUT(Y10, Y11)
	VZEROUPPER
	RET

// func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT, $0-24
	MOVL leaf+0(FP), AX
	MOVL sub+4(FP), CX
	CPUID
	MOVL AX, eax+8(FP)
	MOVL BX, ebx+12(FP)
	MOVL CX, ecx+16(FP)
	MOVL DX, edx+20(FP)
	RET

// func xgetbv0() (eax, edx uint32)
TEXT ·xgetbv0(SB), NOSPLIT, $0-8
	MOVL $0, CX
	XGETBV
	MOVL AX, eax+0(FP)
	MOVL DX, edx+4(FP)
	RET
