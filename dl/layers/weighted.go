package layers

import (
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/regularizers"
)

// weighted is what Dense and Conv2D share: an activation and a kernel with an optional
// bias, their initializers and regularizers, and the compiled pass's gradient buffers.
type weighted struct {
	base
	activation Activation
	kernelInit Initializer
	biasInit   Initializer
	useBias    bool
	kernelReg  regularizers.Regularizer
	biasReg    regularizers.Regularizer

	kernel, bias   *dl.Tensor
	dKernel, dBias *dl.Tensor
}

// newWeighted reads the options of a layer of the given class.
func newWeighted(class string, c *config) weighted {
	return weighted{base: newBase(class, c), activation: c.activation,
		kernelInit: c.kernelInit, biasInit: c.biasInit, useBias: !c.noBias,
		kernelReg: c.kernelReg, biasReg: c.biasReg}
}

// buildWeights creates the kernel of kernelShape and, with a bias, a bias as long as the
// kernel's last axis, both initialized, with their gradient buffers, and marks them
// trainable unless the layer is frozen.
func (w *weighted) buildWeights(kernelShape ...int) {
	w.kernel = dl.Variable(dl.Zeros(kernelShape...), w.name+"/kernel")
	w.kernelInit.Initialize(w.kernel)
	w.weights = []*dl.Tensor{w.kernel}
	w.dKernel = dl.Zeros(kernelShape...)
	if w.useBias {
		out := kernelShape[len(kernelShape)-1]
		w.bias = dl.Variable(dl.Zeros(out), w.name+"/bias")
		w.biasInit.Initialize(w.bias)
		w.weights = append(w.weights, w.bias)
		w.dBias = dl.Zeros(out)
	}
	w.markTrainable()
}

// Losses returns the penalties of the kernel and bias regularizers, computed now from the
// current weights with gradients recorded (see dl.LossLayer); none before Build.
func (w *weighted) Losses() []*dl.Tensor {
	var out []*dl.Tensor
	if w.kernel != nil && w.kernelReg != nil {
		out = append(out, w.kernelReg.Penalty(w.kernel))
	}
	if w.bias != nil && w.biasReg != nil {
		out = append(out, w.biasReg.Penalty(w.bias))
	}
	return out
}

// weightConfig adds to c the configuration entries of the activation, the bias switch and
// the weights' initializers and regularizers.
func (w *weighted) weightConfig(c map[string]any) map[string]any {
	c["activation"] = w.activation.String()
	c["use_bias"] = w.useBias
	c["kernel_initializer"] = InitializerConfig(w.kernelInit)
	c["bias_initializer"] = InitializerConfig(w.biasInit)
	c["kernel_regularizer"] = regularizers.Config(w.kernelReg)
	c["bias_regularizer"] = regularizers.Config(w.biasReg)
	return c
}

// weightOptions reads back what weightConfig wrote, except the activation: the bias switch
// and the weights' initializers and regularizers.
func (r *cfgReader) weightOptions() []Option {
	return []Option{UseBias(r.bool("use_bias", true)),
		KernelInitializer(r.initializer("kernel_initializer", GlorotUniform)),
		BiasInitializer(r.initializer("bias_initializer", Zeros)),
		KernelRegularizer(r.regularizer("kernel_regularizer")), BiasRegularizer(r.regularizer("bias_regularizer"))}
}
