//go:build amd64 && !noasm

package cpu

// actAVX2 is actGeneric in AVX2 + FMA assembly, with a float32 exponential (Cephes expf
// polynomial) instead of math.Exp.
//
//go:noescape
func actAVX2(n8 int, v *float32, tanh bool)

var asmAct actFunc = actAVX2
