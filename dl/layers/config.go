package layers

import (
	"strings"

	"godl.dev/godl/dl"
)

// Configurations (dl.ConfigLayer) of the built-in layers, with Keras's get_config keys, and
// their registration with dl.RegisterLayer so that dl.LayerFromConfig rebuilds them.

func init() {
	register("Dense", func(r *cfgReader) (dl.Layer, error) {
		opts := append(append(r.baseOptions(), r.activation("activation")), r.weightOptions()...)
		units := r.int("units", 0)
		return build(r, func() dl.Layer { return Dense(units, opts...) })
	})
	register("Conv2D", func(r *cfgReader) (dl.Layer, error) {
		k, s := r.pair("kernel_size", [2]int{}), r.pair("strides", [2]int{1, 1})
		opts := append(append(r.baseOptions(), r.activation("activation"), r.padding("padding"),
			KernelSize(k[0], k[1]), Strides(s[0], s[1])), r.weightOptions()...)
		filters := r.int("filters", 0)
		return build(r, func() dl.Layer { return Conv2D(filters, k[0], opts...) })
	})
	register("MaxPooling2D", func(r *cfgReader) (dl.Layer, error) {
		p, opts := r.pooling()
		return build(r, func() dl.Layer { return MaxPooling2D(p, opts...) })
	})
	register("AveragePooling2D", func(r *cfgReader) (dl.Layer, error) {
		p, opts := r.pooling()
		return build(r, func() dl.Layer { return AveragePooling2D(p, opts...) })
	})
	register("GlobalAveragePooling2D", func(r *cfgReader) (dl.Layer, error) {
		opts := r.baseOptions()
		return build(r, func() dl.Layer { return GlobalAveragePooling2D(opts...) })
	})
	register("Flatten", func(r *cfgReader) (dl.Layer, error) {
		opts := r.baseOptions()
		return build(r, func() dl.Layer { return Flatten(opts...) })
	})
	register("BatchNormalization", func(r *cfgReader) (dl.Layer, error) {
		opts := append(r.baseOptions(), Axis(r.int("axis", -1)), Momentum(r.float("momentum", 0.99)), Epsilon(r.float("epsilon", 1e-3)))
		return build(r, func() dl.Layer { return BatchNormalization(opts...) })
	})
	register("Dropout", func(r *cfgReader) (dl.Layer, error) {
		opts, rate := r.baseOptions(), r.float("rate", 0)
		return build(r, func() dl.Layer { return Dropout(rate, opts...) })
	})
	register("Activation", func(r *cfgReader) (dl.Layer, error) {
		opts := r.baseOptions()
		a := r.activation("activation").(Activation)
		return build(r, func() dl.Layer { return Activate(a, opts...) })
	})
	register("ZeroPadding2D", func(r *cfgReader) (dl.Layer, error) {
		opts := r.baseOptions()
		var p [4]int
		switch v := r.cfg["padding"].(type) {
		case []any:
			if len(v) == 2 {
				r2 := &cfgReader{class: r.class, cfg: map[string]any{"h": v[0], "w": v[1]}}
				h, w := r2.pair("h", [2]int{}), r2.pair("w", [2]int{})
				p, r.e = [4]int{h[0], h[1], w[0], w[1]}, r2.e
				break
			}
			r.fail("padding", "must be [[top, bottom], [left, right]], got %v", v)
		case [][2]int:
			if len(v) == 2 {
				p = [4]int{v[0][0], v[0][1], v[1][0], v[1][1]}
				break
			}
			r.fail("padding", "must be [[top, bottom], [left, right]], got %v", v)
		default:
			r.fail("padding", "must be [[top, bottom], [left, right]], got %v", v)
		}
		return build(r, func() dl.Layer { return ZeroPadding2DSides(p[0], p[1], p[2], p[3], opts...) })
	})
	register("Reshape", func(r *cfgReader) (dl.Layer, error) {
		opts, t := r.baseOptions(), r.ints("target_shape")
		return build(r, func() dl.Layer { return Reshape(t, opts...) })
	})
	register("Add", func(r *cfgReader) (dl.Layer, error) {
		opts := r.baseOptions()
		return build(r, func() dl.Layer { return Add(opts...) })
	})
	register("Concatenate", func(r *cfgReader) (dl.Layer, error) {
		opts, a := r.baseOptions(), r.int("axis", -1)
		return build(r, func() dl.Layer { return Concatenate(a, opts...) })
	})
}

// pooling reads a pooling layer's pool_size, strides and padding.
func (r *cfgReader) pooling() (int, []Option) {
	k := r.pair("pool_size", [2]int{2, 2})
	s := r.pair("strides", k)
	return k[0], append(r.baseOptions(), KernelSize(k[0], k[1]), Strides(s[0], s[1]), r.padding("padding"))
}

func paddingName(p dl.Padding) string {
	if strings.EqualFold(string(p), "same") {
		return "same"
	}
	return "valid"
}

// Config returns the layer's configuration (see dl.ConfigLayer).
func (d *DenseLayer) Config() map[string]any {
	c := d.weightConfig(d.baseConfig())
	c["units"] = d.units
	return c
}

// Config returns the layer's configuration (see dl.ConfigLayer).
func (l *Conv2DLayer) Config() map[string]any {
	c := l.weightConfig(l.baseConfig())
	c["filters"] = l.filters
	c["kernel_size"] = []int{l.kh, l.kw}
	c["strides"] = []int{l.sh, l.sw}
	c["padding"] = paddingName(l.padding)
	return c
}

// Config returns a pooling layer's configuration (see dl.ConfigLayer).
func (l *pool2D) Config() map[string]any {
	c := l.baseConfig()
	c["pool_size"] = []int{l.kh, l.kw}
	c["strides"] = []int{l.sh, l.sw}
	c["padding"] = paddingName(l.padding)
	return c
}

// Config returns the layer's configuration (see dl.ConfigLayer).
func (l *GlobalAveragePooling2DLayer) Config() map[string]any { return l.baseConfig() }

// Config returns the layer's configuration (see dl.ConfigLayer).
func (l *FlattenLayer) Config() map[string]any { return l.baseConfig() }

// Config returns the layer's configuration (see dl.ConfigLayer).
func (l *BatchNormalizationLayer) Config() map[string]any {
	c := l.baseConfig()
	c["axis"] = -1
	c["momentum"] = l.momentum
	c["epsilon"] = l.epsilon
	return c
}

// Config returns the layer's configuration (see dl.ConfigLayer).
func (l *DropoutLayer) Config() map[string]any {
	c := l.baseConfig()
	c["rate"] = l.rate
	return c
}

// Config returns the layer's configuration (see dl.ConfigLayer).
func (l *ActivationLayer) Config() map[string]any {
	c := l.baseConfig()
	c["activation"] = l.activation.String()
	return c
}

// Config returns the layer's configuration (see dl.ConfigLayer).
func (l *ZeroPadding2DLayer) Config() map[string]any {
	c := l.baseConfig()
	c["padding"] = [][2]int{{l.top, l.bottom}, {l.left, l.right}}
	return c
}

// Config returns the layer's configuration (see dl.ConfigLayer).
func (l *ReshapeLayer) Config() map[string]any {
	c := l.baseConfig()
	c["target_shape"] = append([]int(nil), l.target...)
	return c
}

// Config returns the layer's configuration (see dl.ConfigLayer).
func (l *AddLayer) Config() map[string]any { return l.baseConfig() }

// Config returns the layer's configuration (see dl.ConfigLayer).
func (l *ConcatenateLayer) Config() map[string]any {
	c := l.baseConfig()
	c["axis"] = l.axis
	return c
}

// Interfaces every built-in layer implements.
var (
	_ dl.ConfigLayer    = (*DenseLayer)(nil)
	_ dl.ConfigLayer    = (*Conv2DLayer)(nil)
	_ dl.ConfigLayer    = (*MaxPooling2DLayer)(nil)
	_ dl.ConfigLayer    = (*AveragePooling2DLayer)(nil)
	_ dl.ConfigLayer    = (*GlobalAveragePooling2DLayer)(nil)
	_ dl.ConfigLayer    = (*FlattenLayer)(nil)
	_ dl.ConfigLayer    = (*BatchNormalizationLayer)(nil)
	_ dl.ConfigLayer    = (*DropoutLayer)(nil)
	_ dl.ConfigLayer    = (*ActivationLayer)(nil)
	_ dl.ConfigLayer    = (*ZeroPadding2DLayer)(nil)
	_ dl.ConfigLayer    = (*ReshapeLayer)(nil)
	_ dl.ConfigLayer    = (*AddLayer)(nil)
	_ dl.ConfigLayer    = (*ConcatenateLayer)(nil)
	_ dl.LossLayer      = (*DenseLayer)(nil)
	_ dl.LossLayer      = (*Conv2DLayer)(nil)
	_ dl.TrainableLayer = (*DenseLayer)(nil)
	_ dl.TrainableLayer = (*Conv2DLayer)(nil)
	_ dl.TrainableLayer = (*MaxPooling2DLayer)(nil)
	_ dl.TrainableLayer = (*FlattenLayer)(nil)
	_ dl.TrainableLayer = (*AddLayer)(nil)
)
