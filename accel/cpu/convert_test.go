package cpu

import (
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
