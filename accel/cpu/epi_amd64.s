//go:build amd64 && !noasm

#include "textflag.h"

// func biasReLUAVX2(rows, n int, row *float32, ld int, bias *float32, flags int)
TEXT ·biasReLUAVX2(SB), NOSPLIT, $0-48
	MOVQ rows+0(FP), R10
	MOVQ row+16(FP), R8
	MOVQ ld+24(FP), R9
	SHLQ $2, R9
	MOVQ flags+40(FP), BX
	VXORPS Y15, Y15, Y15
	TESTQ R10, R10
	JZ    br_done

br_row:
	MOVQ n+8(FP), CX
	MOVQ R8, DI
	MOVQ bias+32(FP), SI
	MOVQ CX, AX
	SHRQ $3, AX
	JZ   br_tail

br_loop8:
	VMOVUPS (DI), Y0
	TESTQ   $1, BX
	JZ      2(PC)
	VADDPS  (SI), Y0, Y0
	TESTQ   $2, BX
	JZ      2(PC)
	VMAXPS  Y15, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	DECQ    AX
	JNZ     br_loop8

br_tail:
	ANDQ $7, CX
	JZ   br_next

br_loop1:
	VMOVSS (DI), X0
	TESTQ  $1, BX
	JZ     2(PC)
	VADDSS (SI), X0, X0
	TESTQ  $2, BX
	JZ     2(PC)
	VMAXSS X15, X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, DI
	ADDQ   $4, SI
	DECQ   CX
	JNZ    br_loop1

br_next:
	ADDQ R9, R8
	DECQ R10
	JNZ  br_row

br_done:
	VZEROUPPER
	RET

// func scatterAVX2(n int, src, dst *float32, stride int, bias float32, relu bool)
TEXT ·scatterAVX2(SB), NOSPLIT, $0-37
	MOVQ n+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ dst+16(FP), DI
	MOVQ stride+24(FP), DX
	SHLQ $2, DX
	VBROADCASTSS bias+32(FP), Y14
	MOVBLZX relu+36(FP), BX
	VXORPS Y15, Y15, Y15
	MOVQ CX, AX
	SHRQ $3, AX
	JZ   sc_tail

sc_loop8:
	VADDPS  (SI), Y14, Y0
	TESTB   BX, BX
	JZ      2(PC)
	VMAXPS  Y15, Y0, Y0
	VEXTRACTF128 $1, Y0, X1
	VEXTRACTPS $0, X0, (DI)
	ADDQ    DX, DI
	VEXTRACTPS $1, X0, (DI)
	ADDQ    DX, DI
	VEXTRACTPS $2, X0, (DI)
	ADDQ    DX, DI
	VEXTRACTPS $3, X0, (DI)
	ADDQ    DX, DI
	VEXTRACTPS $0, X1, (DI)
	ADDQ    DX, DI
	VEXTRACTPS $1, X1, (DI)
	ADDQ    DX, DI
	VEXTRACTPS $2, X1, (DI)
	ADDQ    DX, DI
	VEXTRACTPS $3, X1, (DI)
	ADDQ    DX, DI
	ADDQ    $32, SI
	DECQ    AX
	JNZ     sc_loop8

sc_tail:
	ANDQ $7, CX
	JZ   sc_done

sc_loop1:
	VADDSS (SI), X14, X0
	TESTB  BX, BX
	JZ     2(PC)
	VMAXSS X15, X0, X0
	VMOVSS X0, (DI)
	ADDQ   DX, DI
	ADDQ   $4, SI
	DECQ   CX
	JNZ    sc_loop1

sc_done:
	VZEROUPPER
	RET

// func reluBackwardAVX2(n int, y, dy, dz *float32)
TEXT ·reluBackwardAVX2(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	MOVQ y+8(FP), SI
	MOVQ dy+16(FP), DX
	MOVQ dz+24(FP), DI
	VXORPS Y15, Y15, Y15
	MOVQ CX, AX
	SHRQ $4, AX
	JZ   rb_tail

rb_loop16:
	VCMPPS  $0x11, (SI), Y15, Y0 // 0 < y
	VCMPPS  $0x11, 32(SI), Y15, Y1
	VANDPS  (DX), Y0, Y0
	VANDPS  32(DX), Y1, Y1
	VMOVUPS Y0, (DI)
	VMOVUPS Y1, 32(DI)
	ADDQ    $64, SI
	ADDQ    $64, DX
	ADDQ    $64, DI
	DECQ    AX
	JNZ     rb_loop16

rb_tail:
	ANDQ $15, CX
	JZ   rb_done

rb_loop1:
	VMOVSS (SI), X0
	VCMPSS $0x1e, X15, X0, X0
	VANDPS (DX), X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, SI
	ADDQ   $4, DX
	ADDQ   $4, DI
	DECQ   CX
	JNZ    rb_loop1

rb_done:
	VZEROUPPER
	RET

// func addRowsAVX2(rows, n int, src *float32, ldsrc int, dst *float32, lddst int)
TEXT ·addRowsAVX2(SB), NOSPLIT, $0-48
	MOVQ rows+0(FP), R10
	MOVQ src+16(FP), R8
	MOVQ ldsrc+24(FP), R9
	SHLQ $2, R9
	MOVQ dst+32(FP), R11
	MOVQ lddst+40(FP), R12
	SHLQ $2, R12
	TESTQ R10, R10
	JZ    ar_done

ar_row:
	MOVQ n+8(FP), CX
	MOVQ R8, SI
	MOVQ R11, DI
	MOVQ CX, AX
	SHRQ $3, AX
	JZ   ar_tail

ar_loop8:
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    AX
	JNZ     ar_loop8

ar_tail:
	ANDQ $7, CX
	JZ   ar_next

ar_loop1:
	VMOVSS (DI), X0
	VADDSS (SI), X0, X0
	VMOVSS X0, (DI)
	ADDQ   $4, SI
	ADDQ   $4, DI
	DECQ   CX
	JNZ    ar_loop1

ar_next:
	ADDQ R9, R8
	ADDQ R12, R11
	DECQ R10
	JNZ  ar_row

ar_done:
	VZEROUPPER
	RET

// func sigTanhBackwardAVX2(n8 int, y, dy, dz *float32, tanh bool)
// Sigmoid: dz = dy·y·(1-y). Tanh: dz = dy·(1-y²). n8 blocks of 8.
TEXT ·sigTanhBackwardAVX2(SB), NOSPLIT, $0-33
	MOVQ n8+0(FP), CX
	MOVQ y+8(FP), SI
	MOVQ dy+16(FP), DX
	MOVQ dz+24(FP), DI
	MOVBLZX tanh+32(FP), BX
	MOVL $0x3f800000, AX   // 1.0
	VMOVD AX, X15
	VBROADCASTSS X15, Y15
	TESTQ CX, CX
	JZ    stb_done

stb_loop:
	VMOVUPS (SI), Y0
	TESTB   BX, BX
	JNZ     stb_tanh
	VSUBPS  Y0, Y15, Y1      // 1 - y
	VMULPS  Y1, Y0, Y0       // y(1-y)
	JMP     stb_store

stb_tanh:
	VMOVAPS Y15, Y1
	VFNMADD231PS Y0, Y0, Y1  // 1 - y²
	VMOVAPS Y1, Y0

stb_store:
	VMULPS  (DX), Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DX
	ADDQ    $32, DI
	DECQ    CX
	JNZ     stb_loop

stb_done:
	VZEROUPPER
	RET
