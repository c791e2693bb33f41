//go:build amd64 && !noasm

#include "textflag.h"

// Transpose the 8×8 block whose rows are at R?, each row 8 floats, and store its column r
// at DI + r·64 (one row of a 16-wide panel).
#define LOAD8(base) \
	VMOVUPS (base), Y0          \
	VMOVUPS (base)(DX*1), Y1    \
	VMOVUPS (base)(DX*2), Y2    \
	VMOVUPS (base)(R9*1), Y3    \
	VMOVUPS (base)(DX*4), Y4    \
	VMOVUPS (base)(R10*1), Y5   \
	VMOVUPS (base)(R9*2), Y6    \
	VMOVUPS (base)(R11*1), Y7

#define TRANSPOSE_STORE(dst) \
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
	VSHUFPS $0xEE, Y15, Y13, Y7 \
	VPERM2F128 $0x20, Y4, Y0, Y8 \
	VMOVUPS Y8, (dst)           \
	VPERM2F128 $0x20, Y5, Y1, Y8 \
	VMOVUPS Y8, 64(dst)         \
	VPERM2F128 $0x20, Y6, Y2, Y8 \
	VMOVUPS Y8, 128(dst)        \
	VPERM2F128 $0x20, Y7, Y3, Y8 \
	VMOVUPS Y8, 192(dst)        \
	VPERM2F128 $0x31, Y4, Y0, Y8 \
	VMOVUPS Y8, 256(dst)        \
	VPERM2F128 $0x31, Y5, Y1, Y8 \
	VMOVUPS Y8, 320(dst)        \
	VPERM2F128 $0x31, Y6, Y2, Y8 \
	VMOVUPS Y8, 384(dst)        \
	VPERM2F128 $0x31, Y7, Y3, Y8 \
	VMOVUPS Y8, 448(dst)

// func packBT16AVX2(k8 int, b *float32, ldb int, dst *float32)
TEXT ·packBT16AVX2(SB), NOSPLIT, $0-32
	MOVQ k8+0(FP), CX
	MOVQ b+8(FP), R8
	MOVQ ldb+16(FP), DX
	SHLQ $2, DX
	MOVQ dst+24(FP), DI
	LEAQ (DX)(DX*2), R9    // 3 rows
	LEAQ (DX)(DX*4), R10   // 5 rows
	LEAQ (R9)(DX*4), R11   // 7 rows
	LEAQ (R8)(DX*8), R12   // row 8
	TESTQ CX, CX
	JZ    done

loop:
	LOAD8(R8)
	TRANSPOSE_STORE(DI)
	LEAQ 32(DI), AX
	LOAD8(R12)
	TRANSPOSE_STORE(AX)
	ADDQ $32, R8
	ADDQ $32, R12
	ADDQ $512, DI
	DECQ CX
	JNZ  loop

done:
	VZEROUPPER
	RET

DATA gatherIota<>+0(SB)/4, $0
DATA gatherIota<>+4(SB)/4, $1
DATA gatherIota<>+8(SB)/4, $2
DATA gatherIota<>+12(SB)/4, $3
DATA gatherIota<>+16(SB)/4, $4
DATA gatherIota<>+20(SB)/4, $5
DATA gatherIota<>+24(SB)/4, $6
DATA gatherIota<>+28(SB)/4, $7
GLOBL gatherIota<>(SB), RODATA|NOPTR, $32

// func gatherAVX2(n int, src *float32, stride int, dst *float32)
TEXT ·gatherAVX2(SB), NOSPLIT, $0-32
	MOVQ n+0(FP), CX
	MOVQ src+8(FP), SI
	MOVQ stride+16(FP), DX
	MOVQ dst+24(FP), DI
	VMOVQ DX, X0
	VPBROADCASTD X0, Y0
	VPMULLD gatherIota<>(SB), Y0, Y1 // element index of lane l: l·stride
	MOVQ DX, R8
	SHLQ $5, R8                      // 8 elements apart, in bytes
	MOVQ CX, AX
	SHRQ $3, AX
	JZ   g_tail

g_loop8:
	VPCMPEQD Y2, Y2, Y2
	VGATHERDPS Y2, (SI)(Y1*4), Y3
	VMOVUPS Y3, (DI)
	ADDQ R8, SI
	ADDQ $32, DI
	DECQ AX
	JNZ  g_loop8

g_tail:
	ANDQ $7, CX
	JZ   g_done
	SHLQ $2, DX

g_loop1:
	MOVL (SI), AX
	MOVL AX, (DI)
	ADDQ DX, SI
	ADDQ $4, DI
	DECQ CX
	JNZ  g_loop1

g_done:
	VZEROUPPER
	RET

// func packAT6AVX2(kcb int, a *float32, lda int, alpha float32, dst *float32)
TEXT ·packAT6AVX2(SB), NOSPLIT, $0-40
	MOVQ         kcb+0(FP), CX
	MOVQ         a+8(FP), SI
	MOVQ         lda+16(FP), DX
	VBROADCASTSS alpha+24(FP), X0
	MOVQ         dst+32(FP), DI
	SHLQ         $2, DX // row stride in bytes
	TESTQ        CX, CX
	JZ           pat_done

pat_loop:
	VMOVUPS (SI), X1    // elements 0-3 of the row
	VMOVSD  16(SI), X2  // elements 4-5
	VMULPS  X0, X1, X1
	VMULPS  X0, X2, X2
	VMOVUPS X1, (DI)
	VMOVSD  X2, 16(DI)
	ADDQ    DX, SI
	ADDQ    $24, DI
	DECQ    CX
	JNZ     pat_loop

pat_done:
	RET

// func prefetchLines(p *uint8, n int)
TEXT ·prefetchLines(SB), NOSPLIT, $0-16
	MOVQ  p+0(FP), SI
	MOVQ  n+8(FP), CX
	ADDQ  SI, CX // end

pl_loop:
	CMPQ       SI, CX
	JAE        pl_done
	PREFETCHT0 (SI)
	ADDQ       $64, SI
	JMP        pl_loop

pl_done:
	RET

// func orRowAVX2(n8 int, src *float32, acc *uint32)
TEXT ·orRowAVX2(SB), NOSPLIT, $0-24
	MOVQ  n8+0(FP), CX
	MOVQ  src+8(FP), SI
	MOVQ  acc+16(FP), DI
	TESTQ CX, CX
	JZ    or_done

or_loop:
	VMOVDQU (SI), Y0
	VPOR    (DI), Y0, Y0
	VMOVDQU Y0, (DI)
	ADDQ    $32, SI
	ADDQ    $32, DI
	DECQ    CX
	JNZ     or_loop

or_done:
	VZEROUPPER
	RET
