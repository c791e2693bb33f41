//go:build amd64 && !noasm

#include "textflag.h"

DATA expConst<>+0(SB)/4, $88.3762626647949     // clamp hi
DATA expConst<>+4(SB)/4, $-87.3365447504      // clamp lo
DATA expConst<>+8(SB)/4, $1.44269504088896341  // log2(e)
DATA expConst<>+12(SB)/4, $0.5
DATA expConst<>+16(SB)/4, $0.693359375         // ln2 hi
DATA expConst<>+20(SB)/4, $-2.12194440e-4      // ln2 lo
DATA expConst<>+24(SB)/4, $1.9875691500E-4
DATA expConst<>+28(SB)/4, $1.3981999507E-3
DATA expConst<>+32(SB)/4, $8.3334519073E-3
DATA expConst<>+36(SB)/4, $4.1665795894E-2
DATA expConst<>+40(SB)/4, $1.6666665459E-1
DATA expConst<>+44(SB)/4, $5.0000001201E-1
DATA expConst<>+48(SB)/4, $1.0
DATA expConst<>+52(SB)/4, $127
DATA expConst<>+56(SB)/4, $-1.0
DATA expConst<>+60(SB)/4, $-2.0
GLOBL expConst<>(SB), RODATA|NOPTR, $64

// EXP8 sets Y0 = e^Y0 (8 lanes, Cephes expf: |relative error| ≲ 2 ulp). Uses Y1..Y3.
#define EXP8 \
	VMINPS       Y8, Y0, Y0            \
	VMAXPS       Y9, Y0, Y0            \
	VMULPS       Y10, Y0, Y1           \
	VADDPS       Y11, Y1, Y1           \
	VROUNDPS     $1, Y1, Y1            \
	VFNMADD231PS Y12, Y1, Y0           \
	VFNMADD231PS Y13, Y1, Y0           \
	VBROADCASTSS expConst<>+24(SB), Y2 \
	VBROADCASTSS expConst<>+28(SB), Y3 \
	VFMADD213PS  Y3, Y0, Y2            \
	VBROADCASTSS expConst<>+32(SB), Y3 \
	VFMADD213PS  Y3, Y0, Y2            \
	VBROADCASTSS expConst<>+36(SB), Y3 \
	VFMADD213PS  Y3, Y0, Y2            \
	VBROADCASTSS expConst<>+40(SB), Y3 \
	VFMADD213PS  Y3, Y0, Y2            \
	VFMADD213PS  Y11, Y0, Y2           \
	VMULPS       Y0, Y0, Y3            \
	VFMADD213PS  Y0, Y3, Y2            \
	VADDPS       Y14, Y2, Y2           \
	VCVTTPS2DQ   Y1, Y1                \
	VPADDD       Y15, Y1, Y1           \
	VPSLLD       $23, Y1, Y1           \
	VMULPS       Y1, Y2, Y0

// func actAVX2(n8 int, v *float32, tanh bool)
// Sigmoid (tanh false): v = 1/(1+e^-v). Tanh: v = 2/(1+e^-2v) - 1. n8 blocks of 8.
TEXT ·actAVX2(SB), NOSPLIT, $0-17
	MOVQ n8+0(FP), CX
	MOVQ v+8(FP), DI
	MOVBLZX tanh+16(FP), BX
	VBROADCASTSS expConst<>+0(SB), Y8
	VBROADCASTSS expConst<>+4(SB), Y9
	VBROADCASTSS expConst<>+8(SB), Y10
	VBROADCASTSS expConst<>+12(SB), Y11
	VBROADCASTSS expConst<>+16(SB), Y12
	VBROADCASTSS expConst<>+20(SB), Y13
	VBROADCASTSS expConst<>+48(SB), Y14
	VPBROADCASTD expConst<>+52(SB), Y15
	TESTQ CX, CX
	JZ    done

loop:
	VMOVUPS (DI), Y0
	VBROADCASTSS expConst<>+56(SB), Y4 // -1: e^-x
	TESTB   BX, BX
	JZ      2(PC)
	VBROADCASTSS expConst<>+60(SB), Y4 // -2: e^-2x
	VMULPS  Y4, Y0, Y0
	EXP8
	VADDPS  Y14, Y0, Y0                // 1 + e^-kx
	VDIVPS  Y0, Y14, Y0                // 1 / (1 + e^-kx)
	TESTB   BX, BX
	JZ      3(PC)
	VADDPS  Y0, Y0, Y0                 // tanh = 2σ(2x) - 1
	VSUBPS  Y14, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	DECQ    CX
	JNZ     loop

done:
	VZEROUPPER
	RET
