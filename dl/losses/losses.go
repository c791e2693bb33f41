// Package losses provides the training objectives of dl models, under their Keras names.
//
// Each loss is a dl.Loss value: pass it to Compile, or name it in CompileNames
// ("sparse_categorical_crossentropy", "categorical_crossentropy", "mse"). Get returns a loss
// by name.
package losses

import (
	"sort"
	"strings"

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
	const op = "CategoricalCrossentropy"
	if yPred.Rank() != 2 {
		panic(&dl.Error{Op: op, Shapes: [][]int{yTrue.Shape(), yPred.Shape()}, Msg: "predictions must be [batch, classes]"})
	}
	if !yTrue.HasShape(yPred.Shape()...) {
		panic(&dl.Error{Op: op, Shapes: [][]int{yTrue.Shape(), yPred.Shape()},
			Msg: "targets must be one-hot rows shaped like the predictions (integer labels need sparse_categorical_crossentropy)"})
	}
	y := yTrue.AsFloat32()
	var logp *dl.Tensor
	if l.fromLogits {
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
	return y.Mul(logp).SumAxis(-1, false).Mean().Neg()
}

type mse struct{}

func (mse) Name() string { return "mean_squared_error" }

func (mse) Compute(yTrue, yPred *dl.Tensor) *dl.Tensor {
	if yTrue.Size() != yPred.Size() {
		panic(&dl.Error{Op: "MeanSquaredError", Shapes: [][]int{yTrue.Shape(), yPred.Shape()},
			Msg: "needs one target per output"})
	}
	y := yTrue.AsFloat32()
	if !y.HasShape(yPred.Shape()...) {
		y = y.Reshape(yPred.Shape()...)
	}
	return yPred.Sub(y).Square().Mean()
}

// registry maps Keras's loss names to losses.
var registry = map[string]dl.Loss{
	"sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
	"categorical_crossentropy":        CategoricalCrossentropy,
	"mse":                             MeanSquaredError,
	"mean_squared_error":              MeanSquaredError,
}

func init() {
	for name, l := range registry {
		dl.RegisterLoss(name, l)
	}
}

// Get returns a loss by its Keras name, case-insensitive: "sparse_categorical_crossentropy",
// "categorical_crossentropy", "mse" or "mean_squared_error", as tf.keras.losses.get does.
// It panics with a *dl.Error listing the known names for any other name.
func Get(name string) dl.Loss {
	if l, ok := registry[strings.ToLower(name)]; ok {
		return l
	}
	panic(&dl.Error{Op: "losses.Get", Msg: "unknown loss \"" + name + "\"; known: " + strings.Join(Names(), ", ")})
}

// Names returns the names Get accepts, sorted.
func Names() []string {
	var ns []string
	for n := range registry {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}
