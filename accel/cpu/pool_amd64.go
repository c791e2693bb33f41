//go:build amd64 && !noasm

package cpu

// maxPoolPixelAVX2 is maxPoolPixelGeneric in AVX2 assembly.
//
//go:noescape
func maxPoolPixelAVX2(x *float32, offs *int, ncells, c int, y *float32, arg *int32, base int)

var asmMaxPoolPixel maxPoolPixelFunc = maxPoolPixelAVX2
