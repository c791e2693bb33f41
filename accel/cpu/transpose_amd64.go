//go:build amd64 && !noasm

package cpu

// transposeOut8AVX2 is transposeOut8Generic in AVX2 assembly.
//
//go:noescape
func transposeOut8AVX2(n8 int, src *float32, ldsrc int, dst *float32, pix int, bias *float32, relu bool)

// transposeIn8AVX2 is transposeIn8Generic in AVX2 assembly.
//
//go:noescape
func transposeIn8AVX2(n8 int, src *float32, pix int, dst *float32, lddst int, nch int)

var (
	asmTransposeOut8 transposeOut8Func = transposeOut8AVX2
	asmTransposeIn8  transposeIn8Func  = transposeIn8AVX2
)
