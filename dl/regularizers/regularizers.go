// Package regularizers provides Keras's weight regularizers: penalties on a layer's weights
// that training adds to the loss, as tf.keras.regularizers does.
//
// A regularizer is given to a layer as an option:
//
//	layers.Dense(120, layers.KernelRegularizer(regularizers.L2(0.01)))
//
// The layer then implements dl.LossLayer: its Losses are the penalties of its weights,
// computed from the current values with gradients recorded, and Fit adds them to the loss it
// minimises.
package regularizers

import (
	"fmt"
	"math"
	"reflect"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/internal/cfgnum"
)

// Regularizer computes the penalty of a weight tensor, as a Keras regularizer. Cell code may
// implement it, or wrap a function with Func.
type Regularizer interface {
	// Penalty returns the penalty of w as a scalar (0-D) tensor computed with tensor
	// operations, so that its gradient with respect to w is recorded.
	Penalty(w *dl.Tensor) *dl.Tensor
}

// L1L2Regularizer is the penalty l1·Σ|w| + l2·Σw², Keras's L1L2. Make one with L1, L2 or L1L2.
type L1L2Regularizer struct {
	l1, l2 float64
}

var _ Regularizer = (*L1L2Regularizer)(nil)

// L1 returns the penalty c·Σ|w|, as tf.keras.regularizers.l1(c) (Keras's default c is 0.01).
func L1(c float64) *L1L2Regularizer { return L1L2(c, 0) }

// L2 returns the penalty c·Σw², as tf.keras.regularizers.l2(c) (Keras's default c is 0.01).
func L2(c float64) *L1L2Regularizer { return L1L2(0, c) }

// L1L2 returns the penalty l1·Σ|w| + l2·Σw², as tf.keras.regularizers.l1_l2. Both factors
// must be finite and non-negative.
func L1L2(l1, l2 float64) *L1L2Regularizer {
	if !(l1 >= 0 && l2 >= 0) || math.IsInf(l1, 0) || math.IsInf(l2, 0) {
		panic(fmt.Sprintf("regularizers: factors must be finite and non-negative, got l1 = %v, l2 = %v", l1, l2))
	}
	return &L1L2Regularizer{l1: l1, l2: l2}
}

// L1Factor returns the factor of Σ|w|.
func (r *L1L2Regularizer) L1Factor() float64 { return r.l1 }

// L2Factor returns the factor of Σw².
func (r *L1L2Regularizer) L2Factor() float64 { return r.l2 }

// Penalty returns l1·Σ|w| + l2·Σw² (a constant 0 when both factors are 0).
func (r *L1L2Regularizer) Penalty(w *dl.Tensor) *dl.Tensor {
	var p *dl.Tensor
	if r.l1 != 0 {
		p = w.Abs().Sum().MulScalar(r.l1)
	}
	if r.l2 != 0 {
		q := w.Square().Sum().MulScalar(r.l2)
		if p == nil {
			p = q
		} else {
			p = p.Add(q)
		}
	}
	if p == nil {
		return dl.Scalar(0)
	}
	return p
}

// String returns the regularizer as Keras's constructor would be written.
func (r *L1L2Regularizer) String() string {
	switch {
	case r.l2 == 0:
		return fmt.Sprintf("l1(%g)", r.l1)
	case r.l1 == 0:
		return fmt.Sprintf("l2(%g)", r.l2)
	}
	return fmt.Sprintf("l1_l2(l1=%g, l2=%g)", r.l1, r.l2)
}

// Func adapts a function to a Regularizer, as a Python callable is one in Keras:
//
//	regularizers.Func(func(w *dl.Tensor) *dl.Tensor { return w.Square().Sum().MulScalar(1e-2) })
//
// A Func cannot be saved in a model's configuration: a loaded model gets it back only if the
// layer is rebuilt in code.
type Func func(w *dl.Tensor) *dl.Tensor

// Penalty returns f(w).
func (f Func) Penalty(w *dl.Tensor) *dl.Tensor { return f(w) }

// Config returns r's configuration in Keras's serialized form, a map {"class_name": "L1L2",
// "config": {"l1": …, "l2": …}}, or nil (an untyped nil) for a nil r. A regularizer that is not an L1L2 is
// recorded by its Go type name only, which FromConfig refuses.
func Config(r Regularizer) any {
	if r == nil || reflect.ValueOf(r).Kind() == reflect.Pointer && reflect.ValueOf(r).IsNil() {
		return nil
	}
	if l, ok := r.(*L1L2Regularizer); ok {
		return map[string]any{"class_name": "L1L2", "config": map[string]any{"l1": l.l1, "l2": l.l2}}
	}
	return map[string]any{"class_name": fmt.Sprintf("%T", r)}
}

// FromConfig rebuilds a regularizer from what Config returned (or the same after a JSON round
// trip). A nil cfg gives a nil Regularizer.
func FromConfig(cfg any) (Regularizer, error) {
	if cfg == nil {
		return nil, nil
	}
	m, ok := cfg.(map[string]any)
	if ok && m == nil {
		return nil, nil
	}
	if !ok {
		return nil, fmt.Errorf("regularizers: configuration %v is not a map with class_name and config", cfg)
	}
	class, _ := m["class_name"].(string)
	if class != "L1L2" {
		return nil, fmt.Errorf("regularizers: cannot rebuild a regularizer of class %q from its configuration; only L1L2 (l1, l2, l1_l2) is saved, so set other regularizers again in code", class)
	}
	c, _ := m["config"].(map[string]any)
	l1, err1 := number(c["l1"])
	l2, err2 := number(c["l2"])
	if err1 != nil || err2 != nil {
		return nil, fmt.Errorf("regularizers: L1L2 configuration %v needs numbers l1 and l2", c)
	}
	if !(l1 >= 0 && l2 >= 0) {
		return nil, fmt.Errorf("regularizers: L1L2 configuration %v has a negative factor", c)
	}
	return L1L2(l1, l2), nil
}

// number reads a JSON-compatible number; a missing value is 0.
func number(v any) (float64, error) {
	if v == nil {
		return 0, nil
	}
	if f, ok := cfgnum.Float(v); ok {
		return f, nil
	}
	return 0, fmt.Errorf("regularizers: %v is not a number", v)
}
