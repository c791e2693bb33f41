package layers

import "godl.dev/godl/dl"

// Initializer fills a new weight tensor, as a Keras initializer; it is dl.Initializer, so
// dl's named initializers (dl.GetInitializer) and these are interchangeable. Cell code may
// implement it.
type Initializer = dl.Initializer

// The built-in initializers, under their Keras names: dl's, drawing from dl.Rand() so that
// dl.SetSeed makes them reproducible.
var (
	// GlorotUniform draws from U(-l, l) with l = √(6 / (fanIn + fanOut)): Keras's default
	// for kernels.
	GlorotUniform Initializer = dl.GetInitializer("glorot_uniform")
	// Zeros sets every weight to 0: Keras's default for biases.
	Zeros Initializer = dl.GetInitializer("zeros")
	// Ones sets every weight to 1.
	Ones Initializer = dl.GetInitializer("ones")
	// HeNormal draws from a normal distribution truncated at two standard deviations, with
	// standard deviation √(2 / fanIn), as Keras's he_normal.
	HeNormal Initializer = dl.GetInitializer("he_normal")
)

// RandomNormal returns an initializer drawing from N(mean, stddev²); Keras's default
// random_normal is RandomNormal(0, 0.05).
func RandomNormal(mean, stddev float64) Initializer { return dl.RandomNormalInitializer(mean, stddev) }

// Constant returns an initializer setting every weight to v.
func Constant(v float64) Initializer { return dl.ConstantInitializer(v) }
