package layers

import (
	"fmt"
	"math"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/internal/cfgnum"
	"godl.dev/godl/dl/regularizers"
)

// What every built-in layer shares beyond options.go: freezing (dl.TrainableLayer), the
// parts of a configuration common to all layers (dl.ConfigLayer), and reading
// configurations back.

// KernelRegularizer adds r's penalty of the kernel to the layer's losses (Dense, Conv2D), as
// Keras's kernel_regularizer: layers.KernelRegularizer(regularizers.L2(0.01)).
func KernelRegularizer(r regularizers.Regularizer) Option {
	return optionFunc(func(c *config) { c.kernelReg = r })
}

// BiasRegularizer adds r's penalty of the bias to the layer's losses (Dense, Conv2D), as
// Keras's bias_regularizer.
func BiasRegularizer(r regularizers.Regularizer) Option {
	return optionFunc(func(c *config) { c.biasReg = r })
}

// Momentum sets the momentum of a BatchNormalization's moving statistics (default 0.99).
func Momentum(m float64) Option { return optionFunc(func(c *config) { c.momentum = m }) }

// Epsilon sets the variance fuzz of a BatchNormalization (default 0.001).
func Epsilon(e float64) Option { return optionFunc(func(c *config) { c.epsilon = e }) }

// Axis sets the axis a layer works along: the channel axis of a BatchNormalization (only the
// last axis, -1, is supported) or the axis of a Concatenate.
func Axis(a int) Option { return optionFunc(func(c *config) { c.axis = &a }) }

// Trainable reports whether the layer's weights are updated by training (true unless
// SetTrainable(false) was called), as Keras's layer.trainable.
func (b *base) Trainable() bool { return !b.frozen }

// SetTrainable freezes (false) or unfreezes (true) the layer's weights, as Keras's
// layer.trainable = False. It may be called before the layer is built. Weights that are
// never trainable, such as a batch normalization's moving statistics, stay frozen.
func (b *base) SetTrainable(on bool) {
	b.frozen = !on
	b.markTrainable()
}

// markTrainable sets each weight's trainable flag from the layer's state. Build calls it
// after creating the weights.
func (b *base) markTrainable() {
	for _, w := range b.weights {
		w.SetTrainable(!b.frozen && !b.isFixed(w))
	}
}

func (b *base) isFixed(w *dl.Tensor) bool {
	for _, f := range b.fixed {
		if f == w {
			return true
		}
	}
	return false
}

// baseConfig returns the configuration entries every layer has: name, trainable, and the
// declared input shape as Keras's batch_input_shape (batch axis nil).
func (b *base) baseConfig() map[string]any {
	cfg := map[string]any{"name": b.name, "trainable": !b.frozen}
	if b.inputShape != nil {
		s := []any{nil}
		for _, d := range b.inputShape {
			s = append(s, d)
		}
		cfg["batch_input_shape"] = s
	}
	return cfg
}

// cfgReader reads a layer configuration as Config wrote it, or as it comes back from JSON
// (numbers as float64, lists as []any). The first error is kept and reported by err.
type cfgReader struct {
	class string
	cfg   map[string]any
	e     error
}

func (r *cfgReader) fail(key, format string, args ...any) {
	if r.e == nil {
		r.e = fmt.Errorf("layers: %s configuration: %q %s", r.class, key, fmt.Sprintf(format, args...))
	}
}

func (r *cfgReader) err() error { return r.e }

// has reports whether key is present and not nil.
func (r *cfgReader) has(key string) bool { return r.cfg[key] != nil }

func (r *cfgReader) float(key string, def float64) float64 {
	v, ok := r.cfg[key]
	if !ok || v == nil {
		return def
	}
	f, ok := cfgnum.Float(v)
	if !ok {
		r.fail(key, "must be a number, got %v", v)
	}
	return f
}

func (r *cfgReader) int(key string, def int) int {
	f := r.float(key, float64(def))
	if f != math.Trunc(f) {
		r.fail(key, "must be an integer, got %v", f)
	}
	return int(f)
}

func (r *cfgReader) bool(key string, def bool) bool {
	return readAs(r, key, def, "true or false")
}

func (r *cfgReader) string(key, def string) string { return readAs(r, key, def, "a string") }

// readAs reads key as a T: def when it is absent or nil; when it holds something else, the
// reader fails with "must be <what>" and readAs returns T's zero value.
func readAs[T any](r *cfgReader, key string, def T, what string) T {
	v, ok := r.cfg[key]
	if !ok || v == nil {
		return def
	}
	t, ok := v.(T)
	if !ok {
		r.fail(key, "must be %s, got %v", what, v)
	}
	return t
}

// ints reads a list of integers; nil entries (an unknown batch axis) become -1.
func (r *cfgReader) ints(key string) []int {
	v, ok := r.cfg[key]
	if !ok || v == nil {
		return nil
	}
	var out []int
	switch s := v.(type) {
	case []int:
		return append(out, s...)
	case []any:
		for _, e := range s {
			if e == nil {
				out = append(out, -1)
				continue
			}
			f, ok := cfgnum.Float(e)
			if !ok || f != math.Trunc(f) {
				r.fail(key, "must be a list of integers, got %v", v)
				return nil
			}
			out = append(out, int(f))
		}
		return out
	}
	r.fail(key, "must be a list of integers, got %v", v)
	return nil
}

// baseOptions returns the options that rebuild what baseConfig recorded.
func (r *cfgReader) baseOptions() []Option {
	var opts []Option
	if n := r.string("name", ""); n != "" {
		opts = append(opts, Name(n))
	}
	if s := r.ints("batch_input_shape"); len(s) > 1 {
		opts = append(opts, InputShape(s[1:]...))
	}
	return opts
}

func (r *cfgReader) activation(key string) Option {
	a, err := ActivationByName(r.string(key, "linear"))
	if err != nil && r.e == nil {
		r.e = fmt.Errorf("layers: %s configuration: %w", r.class, err)
	}
	return a
}

func (r *cfgReader) padding(key string) Option {
	switch p := r.string(key, "valid"); p {
	case "same":
		return Same
	case "valid":
		return Valid
	default:
		r.fail(key, "must be \"same\" or \"valid\", got %q", p)
	}
	return Valid
}

func (r *cfgReader) initializer(key string, def Initializer) Initializer {
	v, ok := r.cfg[key]
	if !ok || v == nil {
		return def
	}
	init, err := InitializerFromConfig(v)
	if err != nil && r.e == nil {
		r.e = fmt.Errorf("layers: %s configuration: %q: %w", r.class, key, err)
	}
	return init
}

func (r *cfgReader) regularizer(key string) regularizers.Regularizer {
	reg, err := regularizers.FromConfig(r.cfg[key])
	if err != nil && r.e == nil {
		r.e = fmt.Errorf("layers: %s configuration: %q: %w", r.class, key, err)
	}
	return reg
}

// pair reads a list of two integers.
func (r *cfgReader) pair(key string, def [2]int) [2]int {
	s := r.ints(key)
	if s == nil {
		return def
	}
	if len(s) != 2 {
		r.fail(key, "must be a list of two integers, got %v", s)
		return def
	}
	return [2]int{s[0], s[1]}
}

// finish applies the trainable flag and returns the layer, or the first error.
func finish(r *cfgReader, l dl.Layer) (dl.Layer, error) {
	if r.e != nil {
		return nil, r.e
	}
	if t, ok := l.(dl.TrainableLayer); ok {
		t.SetTrainable(r.bool("trainable", true))
	}
	return l, r.e
}

// build runs a layer constructor, turning its panic on a bad argument into an error.
func build(r *cfgReader, make func() dl.Layer) (dl.Layer, error) {
	if r.e != nil {
		return nil, r.e
	}
	var l dl.Layer
	if err := dl.Maybe(func() { l = make() }); err != nil {
		return nil, fmt.Errorf("layers: %s configuration %v: %w", r.class, r.cfg, err)
	}
	return finish(r, l)
}

// register makes class loadable by dl.LayerFromConfig with fromConfig.
func register(class string, fromConfig func(r *cfgReader) (dl.Layer, error)) {
	dl.RegisterLayer(class, func(cfg map[string]any) (dl.Layer, error) {
		return fromConfig(&cfgReader{class: class, cfg: cfg})
	})
}

// sameShapeAs reports whether a and b have the same shape, without allocating.
func sameShapeAs(a, b *dl.Tensor) bool {
	if a.Rank() != b.Rank() {
		return false
	}
	for i := 0; i < a.Rank(); i++ {
		if a.Dim(i) != b.Dim(i) {
			return false
		}
	}
	return true
}

// like returns the buffer shaped as t, allocating only when the shape changed.
func (o *outBuf) like(t *dl.Tensor) *dl.Tensor {
	if o.t != nil && sameShapeAs(o.t, t) {
		return o.t
	}
	return o.get(t.Shape()...)
}
