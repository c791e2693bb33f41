package dl

import (
	"math/rand/v2"
	"testing"

	"godl.dev/godl/accel/cpu"
)

// benchGather converts batches of 32 MNIST-sized byte rows out of 60,000, in order or in a
// shuffled order (as Fit reads them): the serial work between two training steps that the
// prefetcher moves to another core.
func benchGather(b *testing.B, shuffled bool) {
	const n, row, batch = 60000, 784, 32
	src := make([]uint8, n*row)
	for i := range src {
		src[i] = uint8(i * 7)
	}
	dst := make([]float32, batch*row)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	if shuffled {
		rand.Shuffle(n, func(i, j int) { order[i], order[j] = order[j], order[i] })
	}
	b.SetBytes(batch * row)
	k := 0
	for b.Loop() {
		for i := 0; i < batch; i++ {
			s := order[k%n]
			k++
			t := order[k%n] // the next sample, prefetched
			cpu.ConvertBytes(dst[i*row:(i+1)*row], src[s*row:(s+1)*row], &identityLUT, src[t*row:(t+1)*row])
		}
	}
}

func BenchmarkGatherInOrder(b *testing.B)  { benchGather(b, false) }
func BenchmarkGatherShuffled(b *testing.B) { benchGather(b, true) }
