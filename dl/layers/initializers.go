package layers

import (
	"math"

	"godl.dev/godl/dl"
)

// Initializer fills a new weight tensor, as a Keras initializer. Cell code may implement it.
type Initializer interface {
	// Initialize fills w, a new variable of its final shape, drawing any randomness from
	// dl.Rand() so that dl.SetSeed makes it reproducible.
	Initialize(w *dl.Tensor)
}

// The built-in initializers, under their Keras names.
var (
	// GlorotUniform draws from U(-l, l) with l = √(6 / (fanIn + fanOut)): Keras's default
	// for kernels.
	GlorotUniform Initializer = glorotUniform{}
	// Zeros sets every weight to 0: Keras's default for biases.
	Zeros Initializer = constant(0)
	// Ones sets every weight to 1.
	Ones Initializer = constant(1)
	// HeNormal draws from a normal distribution truncated at two standard deviations, with
	// standard deviation √(2 / fanIn), as Keras's he_normal.
	HeNormal Initializer = heNormal{}
)

// RandomNormal returns an initializer drawing from N(mean, stddev²); Keras's default
// random_normal is RandomNormal(0, 0.05).
func RandomNormal(mean, stddev float64) Initializer { return randomNormal{mean, stddev} }

// Constant returns an initializer setting every weight to v.
func Constant(v float64) Initializer { return constant(v) }

// fans returns the fan-in and fan-out of a kernel shape as Keras computes them: for a
// convolution kernel [kh, kw, in, out] the receptive field multiplies both.
func fans(shape []int) (in, out float64) {
	switch len(shape) {
	case 0:
		return 1, 1
	case 1:
		return float64(shape[0]), float64(shape[0])
	case 2:
		return float64(shape[0]), float64(shape[1])
	}
	rf := 1
	for _, d := range shape[:len(shape)-2] {
		rf *= d
	}
	return float64(rf * shape[len(shape)-2]), float64(rf * shape[len(shape)-1])
}

type glorotUniform struct{}

func (glorotUniform) Initialize(w *dl.Tensor) {
	in, out := fans(w.Shape())
	l := math.Sqrt(6 / (in + out))
	r := dl.Rand()
	d := w.Data()
	for i := range d {
		d[i] = float32((2*r.Float64() - 1) * l)
	}
}

type constant float64

func (c constant) Initialize(w *dl.Tensor) {
	d := w.Data()
	for i := range d {
		d[i] = float32(c)
	}
}

type heNormal struct{}

func (heNormal) Initialize(w *dl.Tensor) {
	in, _ := fans(w.Shape())
	// Keras divides by the standard deviation of a unit normal truncated at ±2.
	std := math.Sqrt(2/in) / 0.87962566103423978
	r := dl.Rand()
	d := w.Data()
	for i := range d {
		v := r.NormFloat64()
		for math.Abs(v) > 2 {
			v = r.NormFloat64()
		}
		d[i] = float32(v * std)
	}
}

type randomNormal struct{ mean, std float64 }

func (n randomNormal) Initialize(w *dl.Tensor) {
	r := dl.Rand()
	d := w.Data()
	for i := range d {
		d[i] = float32(n.mean + n.std*r.NormFloat64())
	}
}
