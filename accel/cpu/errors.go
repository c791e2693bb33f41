package cpu

import (
	"fmt"

	"godl.dev/godl/accel"
)

// panicf panics with an "accel: "-prefixed message: kernels check their arguments once at
// entry, and a violated contract is a programming error in the caller.
func panicf(format string, args ...any) {
	panic(fmt.Sprintf("accel: "+format, args...))
}

// need returns the smallest length of a rows×cols row-major matrix with row stride ld.
func need(rows, cols, ld int) int {
	if rows == 0 || cols == 0 {
		return 0
	}
	return (rows-1)*ld + cols
}

func checkGemm(op string, tA, tB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panicf("%s: negative size m=%d n=%d k=%d", op, m, n, k)
	}
	ar, ac := m, k
	if tA {
		ar, ac = k, m
	}
	br, bc := k, n
	if tB {
		br, bc = n, k
	}
	if lda < max(ac, 1) {
		panicf("%s: lda = %d is less than A's %d columns (tA=%v, m=%d, k=%d)", op, lda, ac, tA, m, k)
	}
	if ldb < max(bc, 1) {
		panicf("%s: ldb = %d is less than B's %d columns (tB=%v, k=%d, n=%d)", op, ldb, bc, tB, k, n)
	}
	if ldc < max(n, 1) {
		panicf("%s: ldc = %d is less than C's n = %d columns", op, ldc, n)
	}
	if l := need(ar, ac, lda); len(a) < l {
		panicf("%s: A has %d elements, want at least %d (%d×%d, lda %d)", op, len(a), l, ar, ac, lda)
	}
	if l := need(br, bc, ldb); len(b) < l {
		panicf("%s: B has %d elements, want at least %d (%d×%d, ldb %d)", op, len(b), l, br, bc, ldb)
	}
	if l := need(m, n, ldc); len(c) < l {
		panicf("%s: C has %d elements, want at least %d (%d×%d, ldc %d)", op, len(c), l, m, n, ldc)
	}
}

func checkAct(op string, act accel.Activation) {
	if act < accel.Linear || act > accel.Tanh {
		panicf("%s: unknown activation %d", op, act)
	}
}

func checkLen(op, name string, got, want int) {
	if got < want {
		panicf("%s: %s has %d elements, want %d", op, name, got, want)
	}
}
