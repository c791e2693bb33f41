// Package losses provides the training objectives of dl models, under their Keras names.
package losses

import (
	"godl.dev/godl/dl"
)

// SparseCategoricalCrossentropy is the mean of -log p[label] over a batch, for integer class
// labels and predicted class probabilities (the output of a softmax), as Keras's
// 'sparse_categorical_crossentropy'. Probabilities are clipped to [1e-7, 1-1e-7] first. When
// the model's last layer ends in a softmax, training fuses the softmax and this loss.
var SparseCategoricalCrossentropy dl.Loss = sparseCCE{}

// SparseCategoricalCrossentropyFromLogits is SparseCategoricalCrossentropy for models whose
// outputs are logits (from_logits=True in Keras): the softmax is applied inside the loss.
var SparseCategoricalCrossentropyFromLogits dl.Loss = sparseCCE{fromLogits: true}

type sparseCCE struct{ fromLogits bool }

func (sparseCCE) Name() string { return "sparse_categorical_crossentropy" }

func (l sparseCCE) Compute(yTrue, yPred *dl.Tensor) *dl.Tensor {
	return dl.SparseCategoricalCrossentropy(yTrue, yPred, l.fromLogits).Mean()
}

// FusesWithSoftmax reports true for the probability form: softmax + this loss may be fused.
func (l sparseCCE) FusesWithSoftmax() bool { return !l.fromLogits }
