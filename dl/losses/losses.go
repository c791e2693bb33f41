// Package losses provides the training objectives of dl models, under their Keras names.
//
// Each loss is a dl.Loss value: pass it to Compile, or name it in CompileNames
// ("sparse_categorical_crossentropy", "categorical_crossentropy", "mse"). Get returns a loss
// by name. The functions ending in Of (SparseCategoricalCrossentropyOf, …) return one loss
// per sample, as Keras's functional losses do, for custom training loops.
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

// CategoricalCrossentropy is the mean over a batch of -Σ y·log p, for one-hot (or soft)
// targets y [batch, classes] and predicted probabilities p, as Keras's
// 'categorical_crossentropy': each row of p is first divided by its sum, then clipped to
// [1e-7, 1-1e-7].
var CategoricalCrossentropy dl.Loss = cce{}

// CategoricalCrossentropyFromLogits is CategoricalCrossentropy for models whose outputs are
// logits (from_logits=True): -Σ y·log softmax(z), computed stably.
var CategoricalCrossentropyFromLogits dl.Loss = cce{fromLogits: true}

// MeanSquaredError is the mean of (y - ŷ)² over every output of a batch, as Keras's 'mse'.
// Targets of the same size as the predictions but another shape ([batch] for [batch, 1]
// outputs) are reshaped to the predictions' shape.
var MeanSquaredError dl.Loss = mse{}

// MSE is MeanSquaredError.
var MSE = MeanSquaredError

// SparseCategoricalCrossentropyOf returns the per-sample losses -log p[label] [batch] for
// integer labels yTrue [batch] and class probabilities yPred [batch, classes], as the
// function tf.keras.losses.sparse_categorical_crossentropy(y_true, y_pred) does (a vector,
// not its mean): probabilities are clipped to [1e-7, 1-1e-7] first. Its gradient flows to
// yPred. A custom training loop averages it (Mean) or, as the book's loop does, differentiates
// it directly: the gradient of a vector is that of its sum.
func SparseCategoricalCrossentropyOf(yTrue, yPred *dl.Tensor) *dl.Tensor {
	return dl.SparseCategoricalCrossentropy(yTrue, yPred, false)
}

// CategoricalCrossentropyOf returns the per-sample losses -Σ y·log p [batch] for one-hot (or
// soft) targets yTrue and predicted probabilities yPred, both [batch, classes], as the
// function tf.keras.losses.categorical_crossentropy does; rows of yPred are normalised to
// sum 1, then clipped to [1e-7, 1-1e-7].
func CategoricalCrossentropyOf(yTrue, yPred *dl.Tensor) *dl.Tensor {
	return categorical("CategoricalCrossentropyOf", yTrue, yPred, false)
}

// MeanSquaredErrorOf returns the per-sample mean of (y - ŷ)² over each sample's outputs
// [batch], as the function tf.keras.losses.mean_squared_error does for predictions of rank 2
// or more; for predictions [batch] each sample's error is its squared difference. Targets of
// yPred's size but another shape are reshaped to yPred's shape.
func MeanSquaredErrorOf(yTrue, yPred *dl.Tensor) *dl.Tensor {
	d := squaredError("MeanSquaredErrorOf", yTrue, yPred)
	if d.Rank() < 2 {
		return d
	}
	return d.Reshape(d.Dim(0), -1).MeanAxis(-1, false)
}

type sparseCCE struct{ fromLogits bool }

func (sparseCCE) Name() string { return "sparse_categorical_crossentropy" }

func (l sparseCCE) Compute(yTrue, yPred *dl.Tensor) *dl.Tensor {
	return dl.SparseCategoricalCrossentropy(yTrue, yPred, l.fromLogits).Mean()
}

// FusesWithSoftmax reports true for the probability form: softmax + this loss may be fused.
func (l sparseCCE) FusesWithSoftmax() bool { return !l.fromLogits }

type cce struct{ fromLogits bool }

func (cce) Name() string { return "categorical_crossentropy" }

func (l cce) Compute(yTrue, yPred *dl.Tensor) *dl.Tensor {
	return categorical("CategoricalCrossentropy", yTrue, yPred, l.fromLogits).Mean()
}

// categorical returns the per-sample categorical crossentropy, for probabilities or logits.
func categorical(op string, yTrue, yPred *dl.Tensor, fromLogits bool) *dl.Tensor {
	if yPred.Rank() != 2 {
		panic(&dl.Error{Op: op, Shapes: [][]int{yTrue.Shape(), yPred.Shape()}, Msg: "predictions must be [batch, classes]"})
	}
	if !yTrue.HasShape(yPred.Shape()...) {
		panic(&dl.Error{Op: op, Shapes: [][]int{yTrue.Shape(), yPred.Shape()},
			Msg: "targets must be one-hot rows shaped like the predictions (integer labels need sparse_categorical_crossentropy)"})
	}
	y := yTrue.AsFloat32()
	var logp *dl.Tensor
	if fromLogits {
		// log softmax(z) = z - c - log Σ exp(z - c), for any per-row constant c: the row max
		// keeps exp from overflowing.
		m, n := yPred.Dim(0), yPred.Dim(1)
		z := yPred.Data()
		c := make([]float32, m)
		for i := 0; i < m; i++ {
			c[i] = z[i*n]
			for _, v := range z[i*n : (i+1)*n] {
				c[i] = max(c[i], v)
			}
		}
		s := yPred.Sub(dl.FromFloat32(c, m, 1))
		logp = s.Sub(s.Exp().SumAxis(-1, true).Log())
	} else {
		p := yPred.Div(yPred.SumAxis(-1, true)).Clip(dl.Epsilon, 1-dl.Epsilon)
		logp = p.Log()
	}
	return y.Mul(logp).SumAxis(-1, false).Neg()
}

type mse struct{}

func (mse) Name() string { return "mean_squared_error" }

func (mse) Compute(yTrue, yPred *dl.Tensor) *dl.Tensor {
	return squaredError("MeanSquaredError", yTrue, yPred).Mean()
}

// squaredError returns (y - ŷ)² elementwise, shaped like yPred.
func squaredError(op string, yTrue, yPred *dl.Tensor) *dl.Tensor {
	if yTrue.Size() != yPred.Size() {
		panic(&dl.Error{Op: op, Shapes: [][]int{yTrue.Shape(), yPred.Shape()},
			Msg: "needs one target per output"})
	}
	y := yTrue.AsFloat32()
	if !y.HasShape(yPred.Shape()...) {
		y = y.Reshape(yPred.Shape()...)
	}
	return yPred.Sub(y).Square()
}

func init() {
	for name, l := range map[string]dl.Loss{
		"sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
		"categorical_crossentropy":        CategoricalCrossentropy,
		"mse":                             MeanSquaredError,
		"mean_squared_error":              MeanSquaredError,
	} {
		dl.RegisterLoss(name, l)
	}
}

// Get returns a loss by its Keras name, case-insensitive: "sparse_categorical_crossentropy",
// "categorical_crossentropy", "mse" or "mean_squared_error", or any name given to
// dl.RegisterLoss, as tf.keras.losses.get does. It panics with a *dl.Error listing the known
// names for any other name. It is dl.GetLoss.
func Get(name string) dl.Loss { return dl.GetLoss(name) }

// Names returns the names Get accepts, sorted.
func Names() []string { return dl.LossNames() }
