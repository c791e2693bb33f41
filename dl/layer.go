package dl

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Layer is one step of a model, as a Keras layer: configured when constructed, its weights
// created by Build from the first input shape, its computation done by Call.
//
// Cell code may implement Layer (all its methods are exported). The built-in layers of
// dl/layers also implement Kernel, which Sequential uses for speed.
type Layer interface {
	// Name is the layer's unique name, such as "dense_1".
	Name() string
	// ClassName is the layer's type as Keras prints it in a summary, such as "Dense".
	ClassName() string
	// Build creates the weights for inputs of inputShape, whose first axis is the batch
	// (-1 when unknown). Models call it once, before the first Call.
	Build(inputShape []int)
	// Call computes the layer's output for the batch x with tensor operations, so that
	// gradients flow through it. training is true during Fit.
	Call(x *Tensor, training bool) *Tensor
	// OutputShape returns the shape of the output for inputs of inputShape (batch axis
	// first, -1 when unknown).
	OutputShape(inputShape []int) []int
	// Weights returns the layer's variables, trainable ones first; nil before Build.
	Weights() []*Tensor
}

// Kernel is a layer's compiled fast path: a fixed forward and backward pass on buffers the
// layer owns and reuses, so that a training step does not allocate. Sequential uses it
// instead of Call and autodiff when a layer implements it; both paths compute the same
// values.
type Kernel interface {
	// Forward computes the output for the batch x (whose shape may change between calls,
	// usually only in its batch axis). The result is owned by the layer and valid until the
	// next Forward; Backward may read x until then too.
	Forward(x *Tensor, training bool) *Tensor
	// Backward takes dy, the gradient of the loss with respect to the last Forward's output,
	// writes each weight's gradient into its Grad (replacing it), and returns the gradient
	// with respect to the input when needDx is true (nil otherwise). The result is owned by
	// the layer.
	Backward(dy *Tensor, needDx bool) *Tensor
}

// SoftmaxKernel is a Kernel whose output ends in a softmax (Dense(n, Softmax)). With a loss
// that is -log p[label] (FusesWithSoftmax), Sequential computes the logits, then softmax and
// loss together, and starts the backward pass from (p - onehot)/batch, which is both faster
// and more accurate than differentiating through the softmax.
type SoftmaxKernel interface {
	Kernel
	// EndsInSoftmax reports whether the layer's activation is softmax.
	EndsInSoftmax() bool
	// ForwardLogits is Forward without the final softmax.
	ForwardLogits(x *Tensor) *Tensor
	// BackwardLogits is Backward given the gradient with respect to the logits.
	BackwardLogits(dLogits *Tensor, needDx bool) *Tensor
}

var (
	namesMu sync.Mutex
	names   = map[string]int{}
)

// UniqueName returns prefix for its first use in this session, then prefix_1, prefix_2, …,
// as Keras names layers and models ("dense", "dense_1").
func UniqueName(prefix string) string {
	namesMu.Lock()
	defer namesMu.Unlock()
	n := names[prefix]
	names[prefix] = n + 1
	if n == 0 {
		return prefix
	}
	return fmt.Sprintf("%s_%d", prefix, n)
}

// ClearSession resets the automatic names, as tf.keras.backend.clear_session does: the next
// Dense is "dense" again.
func ClearSession() {
	namesMu.Lock()
	defer namesMu.Unlock()
	names = map[string]int{}
}

// SnakeCase converts a class name to Keras's lower snake case name prefix, by Keras's own
// two rules: "MaxPooling2D" becomes "max_pooling2d", "Conv2D" "conv2d", "LeNet5" "le_net5".
func SnakeCase(class string) string {
	s := snakeWord.ReplaceAllString(class, "${1}_${2}")
	return strings.ToLower(snakeLowerUpper.ReplaceAllString(s, "${1}_${2}"))
}

var (
	snakeWord       = regexp.MustCompile(`(.)([A-Z][a-z0-9]+)`)
	snakeLowerUpper = regexp.MustCompile(`([a-z])([A-Z])`)
)

// CountParams returns the number of elements of ws, and of those that are trainable.
func CountParams(ws []*Tensor) (total, trainable int) {
	for _, w := range ws {
		total += w.Size()
		if w.trainable {
			trainable += w.Size()
		}
	}
	return total, trainable
}

// MergeLayer is a layer with several inputs, such as Add and Concatenate. Functional models
// call its Many methods with all the inputs, in order.
type MergeLayer interface {
	Layer
	// BuildMany creates the weights for inputs of inputShapes (batch axis first, -1 when
	// unknown).
	BuildMany(inputShapes [][]int)
	// CallMany computes the output for the batches xs with tensor operations.
	CallMany(xs []*Tensor, training bool) *Tensor
	// OutputShapeMany returns the output shape for inputs of inputShapes.
	OutputShapeMany(inputShapes [][]int) []int
}

// MergeKernel is a MergeLayer's compiled fast path, as Kernel is for one input: the result
// of ForwardMany and the gradients of BackwardMany are owned by the layer. needDx[i] tells
// whether the gradient for input i is wanted; the slice returned has nil where it is not.
type MergeKernel interface {
	ForwardMany(xs []*Tensor, training bool) *Tensor
	BackwardMany(dy *Tensor, needDx []bool) []*Tensor
}

// LossLayer is a layer with losses of its own besides the model's: weight regularization
// penalties and losses added with AddLoss (Keras's layer.losses). Fit adds them to the loss
// it minimises and reports; a custom training loop adds them itself.
type LossLayer interface {
	// Losses returns the layer's extra losses, each a scalar computed now from the current
	// weights, with gradients recorded.
	Losses() []*Tensor
}

// TrainableLayer is a layer whose trainable weights can be frozen, as Keras's
// layer.trainable = False. Freezing never makes a non-trainable weight (a batch
// normalization's moving mean) trainable when unfrozen.
type TrainableLayer interface {
	Trainable() bool
	SetTrainable(on bool)
}

// ConfigLayer is a layer that can describe its configuration (Keras's get_config), from
// which RegisterLayer's constructor rebuilds it: the name and every constructor argument,
// as JSON-compatible values (numbers, strings, bools, slices and maps of them).
type ConfigLayer interface {
	Config() map[string]any
}

var (
	layerKindsMu sync.Mutex
	layerKinds   = map[string]func(cfg map[string]any) (Layer, error){}
)

// RegisterLayer makes layers of class (as ClassName returns it) loadable from a saved model:
// fromConfig builds a new, unbuilt layer from what the layer's Config returned.
func RegisterLayer(class string, fromConfig func(cfg map[string]any) (Layer, error)) {
	layerKindsMu.Lock()
	defer layerKindsMu.Unlock()
	layerKinds[class] = fromConfig
}

// LayerFromConfig builds a new layer of class from its configuration, with the constructor
// given to RegisterLayer.
func LayerFromConfig(class string, cfg map[string]any) (Layer, error) {
	layerKindsMu.Lock()
	f := layerKinds[class]
	layerKindsMu.Unlock()
	if f == nil {
		return nil, fmt.Errorf("dl: no layer class %q is registered; a layer type written in a cell must be registered with dl.RegisterLayer before loading", class)
	}
	return f(cfg)
}
