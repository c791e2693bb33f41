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

// func maxPoolRowAVX2(npix int, x *float32, step int, offs *int, ncells, c int, y *float32, arg *int32, base int)
TEXT ·maxPoolRowAVX2(SB), NOSPLIT, $0-72
	MOVQ npix+0(FP), R12
	MOVQ x+8(FP), SI
	MOVQ offs+24(FP), R8
	MOVQ ncells+32(FP), R9
	MOVQ c+40(FP), CX
	MOVQ y+48(FP), DI
	MOVQ arg+56(FP), R10
	MOVQ base+64(FP), R11
	VMOVDQU poolIota<>(SB), Y7
	TESTQ R12, R12
	JZ    done

pixel:
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

	// next pixel: its window starts step elements further, its outputs c further
	MOVQ step+16(FP), AX
	ADDQ AX, R11
	LEAQ (SI)(AX*4), SI
	LEAQ (DI)(CX*4), DI
	LEAQ (R10)(CX*4), R10
	DECQ R12
	JNZ  pixel

done:
	VZEROUPPER
	RET

// func scatterAddAVX2(n int, idx *int32, src *float32, dst *float32, lo, size int) (bad int)
TEXT ·scatterAddAVX2(SB), NOSPLIT, $0-56
	MOVQ n+0(FP), CX
	MOVQ idx+8(FP), SI
	MOVQ src+16(FP), DX
	MOVQ dst+24(FP), DI
	MOVQ lo+32(FP), R8
	MOVQ size+40(FP), R9
	XORQ BX, BX
	TESTQ CX, CX
	JZ    sa_ok

sa_loop:
	MOVLQSX (SI)(BX*4), AX
	SUBQ    R8, AX
	CMPQ    AX, R9
	JAE     sa_bad           // unsigned: negative or past the end
	VMOVSS  (DX)(BX*4), X0
	VADDSS  (DI)(AX*4), X0, X0
	VMOVSS  X0, (DI)(AX*4)
	INCQ    BX
	CMPQ    BX, CX
	JLT     sa_loop

sa_ok:
	MOVQ $0, bad+48(FP)
	RET

sa_bad:
	INCQ BX
	MOVQ BX, bad+48(FP)
	RET
