//go:build amd64 && !noasm

#include "textflag.h"

DATA poolIota<>+0(SB)/4, $0
DATA poolIota<>+4(SB)/4, $1
DATA poolIota<>+8(SB)/4, $2
DATA poolIota<>+12(SB)/4, $3
DATA poolIota<>+16(SB)/4, $4
DATA poolIota<>+20(SB)/4, $5
DATA poolIota<>+24(SB)/4, $6
DATA poolIota<>+28(SB)/4, $7
GLOBL poolIota<>(SB), RODATA|NOPTR, $32

// func maxPoolPixelAVX2(x *float32, offs *int, ncells, c int, y *float32, arg *int32, base int)
TEXT ·maxPoolPixelAVX2(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ offs+8(FP), R8
	MOVQ ncells+16(FP), R9
	MOVQ c+24(FP), CX
	MOVQ y+32(FP), DI
	MOVQ arg+40(FP), R10
	MOVQ base+48(FP), R11
	VMOVDQU poolIota<>(SB), Y7
	XORQ DX, DX            // channel ch

chunk:
	// cell 0
	MOVQ    (R8), AX
	ADDQ    DX, AX         // element index offs[0]+ch
	VMOVUPS (SI)(AX*4), Y0
	LEAQ    (R11)(AX*1), BX
	VMOVQ   BX, X1
	VPBROADCASTD X1, Y1
	VPADDD  Y7, Y1, Y1
	MOVQ    $1, R13

cells:
	CMPQ R13, R9
	JGE  store
	MOVQ (R8)(R13*8), AX
	ADDQ DX, AX
	VMOVUPS (SI)(AX*4), Y2
	LEAQ (R11)(AX*1), BX
	VMOVQ BX, X4
	VPBROADCASTD X4, Y4
	VPADDD Y7, Y4, Y4
	VCMPPS $0x1e, Y0, Y2, Y3   // Y3 = Y2 > Y0
	VBLENDVPS Y3, Y2, Y0, Y0
	VBLENDVPS Y3, Y4, Y1, Y1
	INCQ R13
	JMP  cells

store:
	VMOVUPS Y0, (DI)(DX*4)
	VMOVDQU Y1, (R10)(DX*4)
	ADDQ $8, DX
	CMPQ DX, CX
	JLT  chunk
	VZEROUPPER
	RET
