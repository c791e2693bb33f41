package dl

import (
	"math"
	"math/rand/v2"
	"sync"
)

// The global random source: weight initialisation, shuffling and random tensors draw from
// it, so that SetSeed makes a run reproducible (as tf.random.set_seed does).
var (
	rngMu  sync.Mutex
	rngSrc = rand.NewPCG(rand.Uint64(), rand.Uint64())
	rng    = rand.New(rngSrc)
)

// SetSeed reseeds the global random source. After SetSeed(s), building and training the
// same model on the same data gives the same weights and the same History. Call it before
// the model is built: a model whose first layer declares its input shape
// (layers.InputShape) draws its weights when it is constructed, not at Fit.
func SetSeed(seed int64) {
	rngMu.Lock()
	defer rngMu.Unlock()
	rngSrc = rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)
	rng = rand.New(rngSrc)
}

// randomState returns the global random source's state, which setRandomState restores.
func randomState() []byte {
	rngMu.Lock()
	defer rngMu.Unlock()
	b, err := rngSrc.MarshalBinary()
	if err != nil { // PCG's MarshalBinary cannot fail
		panic(err)
	}
	return b
}

// setRandomState makes the global random source continue from a state randomState returned.
func setRandomState(b []byte) error {
	src := new(rand.PCG)
	if err := src.UnmarshalBinary(b); err != nil {
		return err
	}
	rngMu.Lock()
	defer rngMu.Unlock()
	rngSrc, rng = src, rand.New(src)
	return nil
}

// Rand returns a generator seeded from the global source, for one consumer (a layer's
// initialiser, one epoch's shuffle). Taking a child keeps the global sequence independent of
// how many numbers each consumer draws.
func Rand() *rand.Rand {
	rngMu.Lock()
	defer rngMu.Unlock()
	return rand.New(rand.NewPCG(rng.Uint64(), rng.Uint64()))
}

// RandomUniform returns a float32 tensor of values drawn uniformly from [lo, hi), as
// tf.random.uniform does.
func RandomUniform(lo, hi float64, shape ...int) *Tensor {
	t := Zeros(shape...)
	r := Rand()
	for i := range t.f32 {
		t.f32[i] = float32(lo + (hi-lo)*r.Float64())
	}
	return t
}

// RandomNormal returns a float32 tensor of values drawn from a normal distribution with the
// given mean and standard deviation.
func RandomNormal(mean, stddev float64, shape ...int) *Tensor {
	t := Zeros(shape...)
	r := Rand()
	for i := range t.f32 {
		t.f32[i] = float32(mean + stddev*r.NormFloat64())
	}
	return t
}

// Permutation returns a random permutation of 0..n-1 drawn from the global source.
func Permutation(n int) []int {
	p := make([]int, n)
	PermutationTo(p, Rand())
	return p
}

// PermutationTo fills dst with a random permutation of 0..len(dst)-1 drawn from r.
func PermutationTo(dst []int, r *rand.Rand) {
	for i := range dst {
		dst[i] = i
	}
	r.Shuffle(len(dst), func(i, j int) { dst[i], dst[j] = dst[j], dst[i] })
}

// isFinite reports whether v is neither NaN nor infinite.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
