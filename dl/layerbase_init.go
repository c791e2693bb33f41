package dl

import (
	"math"
)

// Initializer fills a new weight, as a Keras initializer: LayerBase.AddWeight takes one.
// dl/layers' initializers (layers.GlorotUniform, layers.RandomNormal(0, 0.05)) have this
// method set, and so may a type written in a cell.
type Initializer interface {
	// Initialize fills w, a new float32 tensor of the weight's final shape, drawing any
	// randomness from Rand() so that SetSeed makes it reproducible.
	Initialize(w *Tensor)
}

// RandomNormalInitializer returns an initializer drawing from N(mean, stddev²), as Keras's
// initializers.RandomNormal(mean, stddev); GetInitializer("random_normal") is
// RandomNormalInitializer(0, 0.05). Its ClassName and Config are Keras's.
func RandomNormalInitializer(mean, stddev float64) Initializer { return randomNormal{mean, stddev} }

// ConstantInitializer returns an initializer setting every weight to v, as Keras's
// initializers.Constant(v); GetInitializer("zeros") and ("ones") are ConstantInitializer(0)
// and (1). Its ClassName and Config are Keras's.
func ConstantInitializer(v float64) Initializer { return constInit(v) }

// fans returns the fan-in and fan-out of a weight shape as Keras computes them: for a
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

func (glorotUniform) Initialize(w *Tensor) {
	in, out := fans(w.shape)
	l := math.Sqrt(6 / (in + out))
	r := Rand()
	d := w.Data()
	for i := range d {
		d[i] = float32((2*r.Float64() - 1) * l)
	}
}

type heNormal struct{}

func (heNormal) Initialize(w *Tensor) {
	in, _ := fans(w.shape)
	// Keras divides by the standard deviation of a unit normal truncated at ±2.
	std := math.Sqrt(2/in) / 0.87962566103423978
	r := Rand()
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

// ClassName returns "RandomNormal".
func (randomNormal) ClassName() string { return "RandomNormal" }

// Config returns Keras's configuration: mean and stddev.
func (n randomNormal) Config() map[string]any {
	return map[string]any{"mean": n.mean, "stddev": n.std}
}

func (n randomNormal) Initialize(w *Tensor) {
	r := Rand()
	d := w.Data()
	for i := range d {
		d[i] = float32(n.mean + n.std*r.NormFloat64())
	}
}

type constInit float64

// ClassName returns "Constant".
func (constInit) ClassName() string { return "Constant" }

// Config returns Keras's configuration: the value.
func (c constInit) Config() map[string]any { return map[string]any{"value": float64(c)} }

func (c constInit) Initialize(w *Tensor) {
	d := w.Data()
	for i := range d {
		d[i] = float32(c)
	}
}
