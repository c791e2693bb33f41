//go:build amd64 && !noasm

#include "textflag.h"

#define ROWOUT(lo, hi) \
	TESTB        BX, BX               \
	JZ           3(PC)                \
	VADDPS       (R8), lo, lo         \
	VADDPS       32(R8), hi, hi       \
	VMOVUPS      lo, (R8)             \
	VMOVUPS      hi, 32(R8)           \
	ADDQ         R9, R8

#define ZERO12 \
	VXORPS Y0, Y0, Y0 \
	VXORPS Y1, Y1, Y1 \
	VXORPS Y2, Y2, Y2 \
	VXORPS Y3, Y3, Y3 \
	VXORPS Y4, Y4, Y4 \
	VXORPS Y5, Y5, Y5 \
	VXORPS Y6, Y6, Y6 \
	VXORPS Y7, Y7, Y7 \
	VXORPS Y8, Y8, Y8 \
	VXORPS Y9, Y9, Y9 \
	VXORPS Y10, Y10, Y10 \
	VXORPS Y11, Y11, Y11

#define FMA12(r0, r1, r2, r3, r4, r5) \
	VBROADCASTSS r0, Y14           \
	VFMADD231PS  Y12, Y14, Y0      \
	VFMADD231PS  Y13, Y14, Y1      \
	VBROADCASTSS r1, Y15           \
	VFMADD231PS  Y12, Y15, Y2      \
	VFMADD231PS  Y13, Y15, Y3      \
	VBROADCASTSS r2, Y14           \
	VFMADD231PS  Y12, Y14, Y4      \
	VFMADD231PS  Y13, Y14, Y5      \
	VBROADCASTSS r3, Y15           \
	VFMADD231PS  Y12, Y15, Y6      \
	VFMADD231PS  Y13, Y15, Y7      \
	VBROADCASTSS r4, Y14           \
	VFMADD231PS  Y12, Y14, Y8      \
	VFMADD231PS  Y13, Y14, Y9      \
	VBROADCASTSS r5, Y15           \
	VFMADD231PS  Y12, Y15, Y10     \
	VFMADD231PS  Y13, Y15, Y11

// func kernPixAAVX2(kc int, x *float32, bases *int, off *int, b *float32, c *float32, ldc int, acc bool)
TEXT ·kernPixAAVX2(SB), NOSPLIT, $0-57
	MOVQ kc+0(FP), CX
	MOVQ x+8(FP), AX
	MOVQ bases+16(FP), DX
	MOVQ 0(DX), R8
	LEAQ (AX)(R8*4), R8
	MOVQ 8(DX), R9
	LEAQ (AX)(R9*4), R9
	MOVQ 16(DX), R10
	LEAQ (AX)(R10*4), R10
	MOVQ 24(DX), R11
	LEAQ (AX)(R11*4), R11
	MOVQ 32(DX), R12
	LEAQ (AX)(R12*4), R12
	MOVQ 40(DX), R13
	LEAQ (AX)(R13*4), R13
	MOVQ off+24(FP), SI
	MOVQ b+32(FP), DI
	ZERO12

	MOVQ CX, BX
	SHRQ $1, BX
	JZ   pa_tail

pa_loop2:
	MOVQ    (SI), AX
	MOVQ    8(SI), DX
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	FMA12((R8)(AX*4), (R9)(AX*4), (R10)(AX*4), (R11)(AX*4), (R12)(AX*4), (R13)(AX*4))
	VMOVUPS 64(DI), Y12
	VMOVUPS 96(DI), Y13
	FMA12((R8)(DX*4), (R9)(DX*4), (R10)(DX*4), (R11)(DX*4), (R12)(DX*4), (R13)(DX*4))
	ADDQ    $16, SI
	ADDQ    $128, DI
	DECQ    BX
	JNZ     pa_loop2

pa_tail:
	ANDQ $1, CX
	JZ   pa_done
	MOVQ    (SI), AX
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	FMA12((R8)(AX*4), (R9)(AX*4), (R10)(AX*4), (R11)(AX*4), (R12)(AX*4), (R13)(AX*4))

pa_done:

	MOVQ c+40(FP), R8
	MOVQ ldc+48(FP), R9
	SHLQ $2, R9
	MOVBLZX acc+56(FP), BX
	ROWOUT(Y0, Y1)
	ROWOUT(Y2, Y3)
	ROWOUT(Y4, Y5)
	ROWOUT(Y6, Y7)
	ROWOUT(Y8, Y9)
	ROWOUT(Y10, Y11)
	VZEROUPPER
	RET

// func kernPixATAVX2(n int, x *float32, bases *int, offs *int, dy *float32, lddy int, c *float32, ldc int, acc bool)
TEXT ·kernPixATAVX2(SB), NOSPLIT, $0-65
	MOVQ n+0(FP), CX
	MOVQ x+8(FP), BX
	MOVQ bases+16(FP), SI
	MOVQ offs+24(FP), DX
	MOVQ 0(DX), R8
	SHLQ $2, R8
	MOVQ 8(DX), R9
	SHLQ $2, R9
	MOVQ 16(DX), R10
	SHLQ $2, R10
	MOVQ 24(DX), R11
	SHLQ $2, R11
	MOVQ 32(DX), R12
	SHLQ $2, R12
	MOVQ 40(DX), R13
	SHLQ $2, R13
	MOVQ dy+32(FP), DI
	MOVQ lddy+40(FP), DX
	SHLQ $2, DX
	ZERO12

	SHRQ $1, CX
	JZ   pt_tail

pt_loop2:
	MOVQ    (SI), AX
	LEAQ    (BX)(AX*4), AX
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	FMA12((AX)(R8*1), (AX)(R9*1), (AX)(R10*1), (AX)(R11*1), (AX)(R12*1), (AX)(R13*1))
	MOVQ    8(SI), AX
	LEAQ    (BX)(AX*4), AX
	VMOVUPS (DI)(DX*1), Y12
	VMOVUPS 32(DI)(DX*1), Y13
	FMA12((AX)(R8*1), (AX)(R9*1), (AX)(R10*1), (AX)(R11*1), (AX)(R12*1), (AX)(R13*1))
	ADDQ    $16, SI
	LEAQ    (DI)(DX*2), DI
	DECQ    CX
	JNZ     pt_loop2

pt_tail:
	MOVQ n+0(FP), CX
	ANDQ $1, CX
	JZ   pt_done
	MOVQ    (SI), AX
	LEAQ    (BX)(AX*4), AX
	VMOVUPS (DI), Y12
	VMOVUPS 32(DI), Y13
	FMA12((AX)(R8*1), (AX)(R9*1), (AX)(R10*1), (AX)(R11*1), (AX)(R12*1), (AX)(R13*1))

pt_done:

	MOVQ c+48(FP), R8
	MOVQ ldc+56(FP), R9
	SHLQ $2, R9
	MOVBLZX acc+64(FP), BX
	ROWOUT(Y0, Y1)
	ROWOUT(Y2, Y3)
	ROWOUT(Y4, Y5)
	ROWOUT(Y6, Y7)
	ROWOUT(Y8, Y9)
	ROWOUT(Y10, Y11)
	VZEROUPPER
	RET
