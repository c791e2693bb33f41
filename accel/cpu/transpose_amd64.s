//go:build amd64 && !noasm

#include "textflag.h"

// T8 transposes Y0..Y7 (rows) in place into Y0..Y3, Y4..Y7 holding the low and high
// 128-bit halves of the columns: column r is VPERM2F128 $0x20 (r<4) or $0x31 (r≥4) of
// Y(r%4) and Y(r%4+4). Y8..Y15 are clobbered.
#define T8 \
	VUNPCKLPS Y1, Y0, Y8        \
	VUNPCKHPS Y1, Y0, Y9        \
	VUNPCKLPS Y3, Y2, Y10       \
	VUNPCKHPS Y3, Y2, Y11       \
	VUNPCKLPS Y5, Y4, Y12       \
	VUNPCKHPS Y5, Y4, Y13       \
	VUNPCKLPS Y7, Y6, Y14       \
	VUNPCKHPS Y7, Y6, Y15       \
	VSHUFPS $0x44, Y10, Y8, Y0  \
	VSHUFPS $0xEE, Y10, Y8, Y1  \
	VSHUFPS $0x44, Y11, Y9, Y2  \
	VSHUFPS $0xEE, Y11, Y9, Y3  \
	VSHUFPS $0x44, Y14, Y12, Y4 \
	VSHUFPS $0xEE, Y14, Y12, Y5 \
	VSHUFPS $0x44, Y15, Y13, Y6 \
	VSHUFPS $0xEE, Y15, Y13, Y7


// func transposeOut8AVX2(n8 int, src *float32, ldsrc int, dst *float32, pix int, bias *float32, relu bool)
TEXT ·transposeOut8AVX2(SB), NOSPLIT, $0-49
	MOVQ n8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ ldsrc+16(FP), DX
	SHLQ $2, DX
	MOVQ dst+24(FP), DI
	MOVQ pix+32(FP), R12
	SHLQ $2, R12
	MOVQ bias+40(FP), R13
	MOVBLZX relu+48(FP), BX
	LEAQ (DX)(DX*2), R9
	LEAQ (DX)(DX*4), R10
	LEAQ (R9)(DX*4), R11
	TESTQ CX, CX
	JZ    to_done

to_loop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(DX*1), Y1
	VMOVUPS (SI)(DX*2), Y2
	VMOVUPS (SI)(R9*1), Y3
	VMOVUPS (SI)(DX*4), Y4
	VMOVUPS (SI)(R10*1), Y5
	VMOVUPS (SI)(R9*2), Y6
	VMOVUPS (SI)(R11*1), Y7
	T8
	VMOVUPS (R13), Y9
	VXORPS  Y10, Y10, Y10

#define OUTPIX(a, b, imm) \
	VPERM2F128 imm, b, a, Y8 \
	VADDPS  Y9, Y8, Y8       \
	TESTB   BX, BX           \
	JZ      2(PC)            \
	VMAXPS  Y10, Y8, Y8      \
	VMOVUPS Y8, (DI)         \
	ADDQ    R12, DI

	OUTPIX(Y0, Y4, $0x20)
	OUTPIX(Y1, Y5, $0x20)
	OUTPIX(Y2, Y6, $0x20)
	OUTPIX(Y3, Y7, $0x20)
	OUTPIX(Y0, Y4, $0x31)
	OUTPIX(Y1, Y5, $0x31)
	OUTPIX(Y2, Y6, $0x31)
	OUTPIX(Y3, Y7, $0x31)
	ADDQ $32, SI
	DECQ CX
	JNZ  to_loop

to_done:
	VZEROUPPER
	RET

// func transposeIn8AVX2(n8 int, src *float32, pix int, dst *float32, lddst int, nch int)
TEXT ·transposeIn8AVX2(SB), NOSPLIT, $0-48
	MOVQ n8+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ pix+16(FP), DX
	SHLQ $2, DX
	MOVQ dst+24(FP), DI
	MOVQ lddst+32(FP), R8
	SHLQ $2, R8
	MOVQ nch+40(FP), BX
	LEAQ (DX)(DX*2), R12  // 3 pixels
	LEAQ (DX)(DX*4), R13  // 5 pixels
	LEAQ (R12)(DX*4), AX  // 7 pixels
	LEAQ (R8)(R8*2), R9   // 3 rows
	LEAQ (R8)(R8*4), R10  // 5 rows
	LEAQ (R9)(R8*4), R11  // 7 rows
	TESTQ CX, CX
	JZ    ti_done

ti_loop:
	VMOVUPS (SI), Y0
	VMOVUPS (SI)(DX*1), Y1
	VMOVUPS (SI)(DX*2), Y2
	VMOVUPS (SI)(R12*1), Y3
	VMOVUPS (SI)(DX*4), Y4
	VMOVUPS (SI)(R13*1), Y5
	VMOVUPS (SI)(R12*2), Y6
	VMOVUPS (SI)(AX*1), Y7
	T8
	VPERM2F128 $0x20, Y4, Y0, Y8
	VMOVUPS Y8, (DI)
	CMPQ BX, $1
	JLE  ti_next
	VPERM2F128 $0x20, Y5, Y1, Y8
	VMOVUPS Y8, (DI)(R8*1)
	CMPQ BX, $2
	JLE  ti_next
	VPERM2F128 $0x20, Y6, Y2, Y8
	VMOVUPS Y8, (DI)(R8*2)
	CMPQ BX, $3
	JLE  ti_next
	VPERM2F128 $0x20, Y7, Y3, Y8
	VMOVUPS Y8, (DI)(R9*1)
	CMPQ BX, $4
	JLE  ti_next
	VPERM2F128 $0x31, Y4, Y0, Y8
	VMOVUPS Y8, (DI)(R8*4)
	CMPQ BX, $5
	JLE  ti_next
	VPERM2F128 $0x31, Y5, Y1, Y8
	VMOVUPS Y8, (DI)(R10*1)
	CMPQ BX, $6
	JLE  ti_next
	VPERM2F128 $0x31, Y6, Y2, Y8
	VMOVUPS Y8, (DI)(R9*2)
	CMPQ BX, $7
	JLE  ti_next
	VPERM2F128 $0x31, Y7, Y3, Y8
	VMOVUPS Y8, (DI)(R11*1)

ti_next:
	LEAQ (SI)(DX*8), SI
	ADDQ $32, DI
	DECQ CX
	JNZ  ti_loop

ti_done:
	VZEROUPPER
	RET
