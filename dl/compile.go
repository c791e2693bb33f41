package dl

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
