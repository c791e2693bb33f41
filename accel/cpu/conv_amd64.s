//go:build amd64 && !noasm

#include "textflag.h"

// One rank-1 update of the 6×16 accumulators Y0..Y11 with the A values at SI+aoff and the
// B row at DI + 4·off[p], off read through R10.
#define STEPOFF(aoff) \
	MOVQ         (R10), R11           \
	ADDQ         $8, R10              \
	VMOVUPS      (DI)(R11*4), Y12     \
	VMOVUPS      32(DI)(R11*4), Y13   \
	VBROADCASTSS (aoff+0)(SI), Y14    \
	VFMADD231PS  Y12, Y14, Y0         \
	VFMADD231PS  Y13, Y14, Y1         \
	VBROADCASTSS (aoff+4)(SI), Y15    \
	VFMADD231PS  Y12, Y15, Y2         \
	VFMADD231PS  Y13, Y15, Y3         \
	VBROADCASTSS (aoff+8)(SI), Y14    \
	VFMADD231PS  Y12, Y14, Y4         \
	VFMADD231PS  Y13, Y14, Y5         \
	VBROADCASTSS (aoff+12)(SI), Y15   \
	VFMADD231PS  Y12, Y15, Y6         \
	VFMADD231PS  Y13, Y15, Y7         \
	VBROADCASTSS (aoff+16)(SI), Y14   \
	VFMADD231PS  Y12, Y14, Y8         \
	VFMADD231PS  Y13, Y14, Y9         \
	VBROADCASTSS (aoff+20)(SI), Y15   \
	VFMADD231PS  Y12, Y15, Y10        \
	VFMADD231PS  Y13, Y15, Y11

#define ROWOUT(lo, hi) \
	TESTB        BX, BX               \
	JZ           3(PC)                \
	VADDPS       (R8), lo, lo         \
	VADDPS       32(R8), hi, hi       \
	VMOVUPS      lo, (R8)             \
	VMOVUPS      hi, 32(R8)           \
	ADDQ         R9, R8

// func kernOffBAVX2(kc int, a, b *float32, off *int, c *float32, ldc int, acc bool)
TEXT ·kernOffBAVX2(SB), NOSPLIT, $0-49
	MOVQ kc+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ b+16(FP), DI
	MOVQ off+24(FP), R10
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
	STEPOFF(0)
	STEPOFF(24)
	STEPOFF(48)
	STEPOFF(72)
	ADDQ $96, SI
	DECQ AX
	JNZ  loop4

tail:
	ANDQ $3, CX
	JZ   done

loop1:
	STEPOFF(0)
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

// Horizontal sum of accumulator acc added into the float32 at addr.
#define HSUMADD(acc, xacc, addr) \
	VEXTRACTF128 $1, acc, X14     \
	VADDPS       xacc, X14, X14   \
	VHADDPS      X14, X14, X14    \
	VHADDPS      X14, X14, X14    \
	VADDSS       addr, X14, X14   \
	VMOVSS       X14, addr

// One 8-wide step of the 6×2 dot products at byte offset o.
#define DOTSTEP(o) \
	VMOVUPS     o(R8), Y12            \
	VMOVUPS     o(R9), Y13            \
	VMOVUPS     o(SI), Y14            \
	VFMADD231PS Y12, Y14, Y0          \
	VFMADD231PS Y13, Y14, Y1          \
	VMOVUPS     o(SI)(DX*1), Y15      \
	VFMADD231PS Y12, Y15, Y2          \
	VFMADD231PS Y13, Y15, Y3          \
	VMOVUPS     o(SI)(DX*2), Y14      \
	VFMADD231PS Y12, Y14, Y4          \
	VFMADD231PS Y13, Y14, Y5          \
	VMOVUPS     o(SI)(R12*1), Y15     \
	VFMADD231PS Y12, Y15, Y6          \
	VFMADD231PS Y13, Y15, Y7          \
	VMOVUPS     o(SI)(DX*4), Y14      \
	VFMADD231PS Y12, Y14, Y8          \
	VFMADD231PS Y13, Y14, Y9          \
	VMOVUPS     o(SI)(R13*1), Y15     \
	VFMADD231PS Y12, Y15, Y10         \
	VFMADD231PS Y13, Y15, Y11

// func kernDotAVX2(n int, a *float32, lda int, b0, b1 *float32, c *float32, ldc int)
TEXT ·kernDotAVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	MOVQ a+8(FP), SI
	MOVQ lda+16(FP), DX
	SHLQ $2, DX
	MOVQ b0+24(FP), R8
	MOVQ b1+32(FP), R9
	MOVQ c+40(FP), R10
	MOVQ ldc+48(FP), R11
	SHLQ $2, R11
	LEAQ (DX)(DX*2), R12 // 3·lda
	LEAQ (DX)(DX*4), R13 // 5·lda

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

	SHRQ $3, CX
	MOVQ CX, AX
	SHRQ $1, AX
	JZ   dottail

dotloop2:
	DOTSTEP(0)
	DOTSTEP(32)
	ADDQ        $64, SI
	ADDQ        $64, R8
	ADDQ        $64, R9
	DECQ        AX
	JNZ         dotloop2

dottail:
	ANDQ $1, CX
	JZ   dotdone
	DOTSTEP(0)

dotdone:
	HSUMADD(Y0, X0, (R10))
	HSUMADD(Y1, X1, 4(R10))
	ADDQ R11, R10
	HSUMADD(Y2, X2, (R10))
	HSUMADD(Y3, X3, 4(R10))
	ADDQ R11, R10
	HSUMADD(Y4, X4, (R10))
	HSUMADD(Y5, X5, 4(R10))
	ADDQ R11, R10
	HSUMADD(Y6, X6, (R10))
	HSUMADD(Y7, X7, 4(R10))
	ADDQ R11, R10
	HSUMADD(Y8, X8, (R10))
	HSUMADD(Y9, X9, 4(R10))
	ADDQ R11, R10
	HSUMADD(Y10, X10, (R10))
	HSUMADD(Y11, X11, 4(R10))
	VZEROUPPER
	RET
