package dl

import (
	"sort"
	"strings"
	"sync"
)

// Loss is a training objective, as a Keras loss: Compute returns the mean loss of a batch
// as a 0-D tensor that gradients flow through. dl/losses has the built-in losses.
type Loss interface {
	// Name is the loss's Keras name, such as "sparse_categorical_crossentropy".
	Name() string
	// Compute returns the mean loss of the batch: yTrue are the targets, yPred the model's
	// outputs (probabilities for the cross-entropies).
	Compute(yTrue, yPred *Tensor) *Tensor
}

// FusedLoss is implemented by losses equal to -log p[label] for integer labels and class
// probabilities p (sparse categorical cross-entropy). When the model's last layer ends in a
// softmax, training fuses the two (see SoftmaxKernel).
type FusedLoss interface {
	Loss
	// FusesWithSoftmax reports whether the loss is -log p[label] on probabilities.
	FusesWithSoftmax() bool
}

// Metric is a quantity reported during training, as a Keras metric. It is stateless: models
// keep the running totals, so one Metric value may serve many models.
type Metric interface {
	// Name is the key in logs and History, such as "accuracy".
	Name() string
	// Batch returns the metric's total over a batch and the count it is averaged over:
	// accuracy returns (correct predictions, batch size). It must not keep yTrue or yPred.
	Batch(yTrue, yPred *Tensor) (total, count float64)
}

// Optimizer updates variables from their gradients, as a Keras optimizer. dl/optimizers has
// the built-in ones.
type Optimizer interface {
	// Name is the optimizer's Keras name, such as "SGD".
	Name() string
	// ApplyGradients updates each vars[i] in place from grads[i] (a nil gradient leaves
	// its variable unchanged).
	ApplyGradients(grads, vars []*Tensor)
}

// LearningRater is implemented by optimizers whose learning rate may change while training:
// the learning-rate callbacks (dl/callbacks) read and set it between steps. Every optimizer
// of dl/optimizers implements it.
type LearningRater interface {
	Optimizer
	// CurrentLearningRate returns the learning rate the next step will use.
	CurrentLearningRate() float64
	// SetLearningRate sets the learning rate of the following steps.
	SetLearningRate(lr float64)
}

// PlainSGD is implemented by optimizers whose update is w ← w - lr·g with no state (SGD
// without momentum). Models then let layers that implement FusedSGD fold the update into
// their weight-gradient products, so that those gradients are never stored.
type PlainSGD interface {
	Optimizer
	// PlainSGDRate returns the learning rate of the next step, and whether the update is
	// plain SGD.
	PlainSGDRate() (lr float64, plain bool)
}

// FusedSGD is implemented by kernels that can apply plain SGD to their own weights during
// Backward: w ← w - lr·∂L/∂w, with ∂L/∂input computed from the weights before the update.
// While it is on, Backward leaves the weights' Grad nil.
type FusedSGD interface {
	Kernel
	// SetFusedSGD switches the fused update on (with learning rate lr) or off.
	SetFusedSGD(lr float64, on bool)
}

// ReLUProducer is implemented by kernels whose output may end in a ReLU and that can skip
// its backward when the next layer applies it (see ReLUMaskingPool).
type ReLUProducer interface {
	Kernel
	// EndsInReLU reports whether the output is a ReLU's.
	EndsInReLU() bool
	// SetSkipReLUBackward makes Backward take dy as the gradient with respect to the
	// ReLU's input (on) or apply the ReLU's derivative first as usual (off).
	SetSkipReLUBackward(on bool)
}

// ReLUMaskingPool is implemented by max-pooling kernels. Max pooling commutes with ReLU
// (max(relu(a), relu(b)) = relu(max(a, b))), so when a ReLUProducer feeds it, Sequential
// lets the pooling layer mask its output gradient where its output is 0 (a quarter of the
// elements for 2×2 pooling) and the producer skip its own ReLU backward.
type ReLUMaskingPool interface {
	Kernel
	// SetMaskByOutput makes Backward zero dy where the pooled output is 0 before routing
	// it (on), or route dy unchanged (off).
	SetMaskByOutput(on bool)
}

// Compile sets the optimizer, the loss and the metrics that Fit and Evaluate use, as Keras's
// model.compile does.
func (m *modelCore) Compile(optimizer Optimizer, loss Loss, metrics ...Metric) {
	if optimizer == nil || loss == nil {
		panicf("Compile", nil, "model %q needs an optimizer and a loss", m.name)
	}
	m.optimizer, m.loss = optimizer, loss
	m.metrics = append([]Metric(nil), metrics...)
	m.run = nil
}

// AddMetric appends one metric to a compiled model (the one-at-a-time twin of Compile's
// metrics, for metrics defined in notebook cells).
func (m *modelCore) AddMetric(metric Metric) {
	m.metrics = append(m.metrics, metric)
	m.run = nil
}

// MetricsNames returns the names of the values Evaluate returns: "loss", then each metric.
func (m *modelCore) MetricsNames() []string {
	names := []string{"loss"}
	for _, mt := range m.metrics {
		names = append(names, mt.Name())
	}
	return names
}

// Optimizer returns the optimizer set by Compile (nil before), as Keras's model.optimizer.
func (m *modelCore) Optimizer() Optimizer { return m.optimizer }

// Loss returns the loss set by Compile (nil before).
func (m *modelCore) Loss() Loss { return m.loss }

// CompileNames compiles the model with an optimizer, a loss and metrics given by their
// Keras names, as model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
// metrics=['accuracy']) does:
//
//	model.CompileNames("adam", "sparse_categorical_crossentropy", "accuracy")
//
// Optimizers are made fresh with TF 2.0's defaults. The names are those registered by
// dl/optimizers, dl/losses and dl/metrics (optimizers.Names, losses.Names, metrics.Names);
// a program that is not a notebook must import those packages. To mix a name with an
// object, use their Get functions: Compile(optimizers.Adam(), losses.Get("mse")). An
// unknown name panics with an *Error listing the known ones.
func (m *modelCore) CompileNames(optimizer, loss string, metrics ...string) {
	ms := make([]Metric, len(metrics))
	for i, n := range metrics {
		ms[i] = lookup("metric", n, registry.metrics)()
	}
	m.Compile(lookup("optimizer", optimizer, registry.optimizers)(), lookup("loss", loss, registry.losses)(), ms...)
}

// registry holds the names CompileNames accepts.
var registry struct {
	sync.Mutex
	optimizers map[string]func() Optimizer
	losses     map[string]func() Loss
	metrics    map[string]func() Metric
}

// RegisterOptimizer makes CompileNames accept name (case-insensitive) for the optimizers
// newOpt returns. dl/optimizers registers its optimizers this way.
func RegisterOptimizer(name string, newOpt func() Optimizer) {
	register(&registry.optimizers, name, newOpt)
}

// RegisterLoss makes CompileNames accept name (case-insensitive) for loss.
func RegisterLoss(name string, loss Loss) {
	register(&registry.losses, name, func() Loss { return loss })
}

// RegisterMetric makes CompileNames accept name (case-insensitive) for metric.
func RegisterMetric(name string, metric Metric) {
	register(&registry.metrics, name, func() Metric { return metric })
}

func register[T any](m *map[string]T, name string, v T) {
	registry.Lock()
	defer registry.Unlock()
	if *m == nil {
		*m = map[string]T{}
	}
	(*m)[strings.ToLower(name)] = v
}

func lookup[T any](kind, name string, m map[string]T) T {
	registry.Lock()
	defer registry.Unlock()
	if v, ok := m[strings.ToLower(name)]; ok {
		return v
	}
	var known []string
	for k := range m {
		known = append(known, k)
	}
	sort.Strings(known)
	hint := "known: " + strings.Join(known, ", ")
	if len(known) == 0 {
		hint = "import godl.dev/godl/dl/" + kind + "s to register the built-in ones"
	}
	panicf("CompileNames", nil, "unknown %s %q; %s", kind, name, hint)
	panic("unreachable")
}
