package cpu

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestConvertBytesMatchesTheTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	var lut [256]float32
	for i := range lut {
		lut[i] = float32(i)/255 - 0.5
	}
	for _, n := range []int{0, 1, 7, 8, 9, 63, 784, 785} {
		src := make([]uint8, n)
		for i := range src {
			src[i] = uint8(rng.IntN(256))
		}
		if n > 0 {
			src[n/2] = 255 // the table's last entry
		}
		dst := make([]float32, n+1)
		dst[n] = 42
		ConvertBytes(dst[:n], src, &lut, src)
		for i, b := range src {
			if dst[i] != lut[b] {
				t.Fatalf("%d bytes: dst[%d] = %v, want lut[%d] = %v", n, i, dst[i], b, lut[b])
			}
		}
		if dst[n] != 42 {
			t.Fatalf("%d bytes: wrote past the end", n)
		}
	}
}

func TestConvertBytesRefusesAShortDestination(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic for a destination shorter than the source")
		}
	}()
	var lut [256]float32
	ConvertBytes(make([]float32, 3), make([]uint8, 4), &lut, nil)
}

func TestOrBitsFindsTheNonZeroColumns(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, f := range []struct {
		name string
		fn   orRowFunc
	}{{"assembly", asmOrRow}, {"portable", orRowGeneric}} {
		saved := orRow
		orRow = f.fn
		for _, k := range []int{1, 7, 8, 9, 784} {
			for _, rows := range []int{0, 1, 3, 32} {
				x := make([]float32, rows*k)
				want := make([]uint32, k+1)
				for i := range x {
					if rng.IntN(3) == 0 {
						x[i] = float32(rng.NormFloat64())
					}
					want[i%k] |= math.Float32bits(x[i])
				}
				acc := make([]uint32, k+1)
				acc[k] = 7 // past the columns: untouched
				want[k] = 7
				OrBits(acc[:k], x, rows, k)
				for j := range want {
					if acc[j] != want[j] {
						orRow = saved
						t.Fatalf("%s, %d×%d: acc[%d] = %#x, want %#x", f.name, rows, k, j, acc[j], want[j])
					}
				}
			}
		}
		orRow = saved
	}
}
