// Package metrics provides the quantities dl models report during training, under their
// Keras names.
//
// A dl.Metric is stateless: it returns a batch's total and count, and the model keeps the
// running sums, so one value may serve many models. Its name is the key in logs and History
// ("accuracy", "val_accuracy"); a metric made with a name, as
// tf.metrics.SparseCategoricalAccuracy(name='acc') in Keras, reports under that name.
// CompileNames accepts "accuracy", "acc", "sparse_categorical_accuracy" and
// "sparse_top_k_categorical_accuracy".
//
// Mean is the stateful running mean of a custom training loop (tf.keras.metrics.Mean).
package metrics

import (
	"godl.dev/godl/dl"
)

// Accuracy is the fraction of samples whose predicted class is the label, as Keras's
// 'accuracy': with integer labels [batch] the predicted class is the index of the largest
// output (or, for a single output, whether it exceeds 0.5); with one-hot targets shaped like
// the predictions it is compared with the index of the target's largest entry
// (categorical accuracy).
var Accuracy dl.Metric = SparseCategoricalAccuracy("accuracy")

// SparseCategoricalAccuracy returns the accuracy metric under another name, as
// tf.metrics.SparseCategoricalAccuracy(name='acc') does (History then has "acc" and
// "val_acc"). An empty name means "sparse_categorical_accuracy".
func SparseCategoricalAccuracy(name string) dl.Metric {
	if name == "" {
		name = "sparse_categorical_accuracy"
	}
	return topK{name: name, k: 1}
}

// SparseTopKCategoricalAccuracy returns the fraction of samples whose label is among the k
// classes with the largest outputs, as tf.metrics.SparseTopKCategoricalAccuracy(k=5,
// name='top5_acc'). A label counts as in the top k when fewer than k classes have a strictly
// larger output (TensorFlow's in_top_k treats ties so). An empty name means
// "sparse_top_k_categorical_accuracy"; k < 1 panics.
func SparseTopKCategoricalAccuracy(k int, name string) dl.Metric {
	if k < 1 {
		panic(&dl.Error{Op: "SparseTopKCategoricalAccuracy", Msg: "k must be at least 1"})
	}
	if name == "" {
		name = "sparse_top_k_categorical_accuracy"
	}
	return topK{name: name, k: k}
}

type topK struct {
	name string
	k    int
}

func (a topK) Name() string { return a.name }

// Batch returns (correct predictions, batch size). yPred is [batch, classes].
func (a topK) Batch(yTrue, yPred *dl.Tensor) (total, count float64) {
	if yPred.Rank() != 2 {
		panic(&dl.Error{Op: a.name, Shapes: [][]int{yTrue.Shape(), yPred.Shape()},
			Msg: "needs predictions [batch, classes]"})
	}
	m, n := yPred.Dim(0), yPred.Dim(1)
	oneHot := n > 1 && yTrue.HasShape(m, n)
	if !oneHot && yTrue.Size() != m {
		panic(&dl.Error{Op: a.name, Shapes: [][]int{yTrue.Shape(), yPred.Shape()},
			Msg: "needs one label per row of predictions [batch, classes], or one-hot targets of their shape"})
	}
	p := yPred.Data()
	var t []float32
	if oneHot {
		t = yTrue.AsFloat32().Data()
	}
	for i := 0; i < m; i++ {
		row := p[i*n : (i+1)*n]
		var label int
		switch {
		case oneHot:
			label = argmax(t[i*n : (i+1)*n])
		default:
			label = int(yTrue.At(i))
		}
		if n == 1 {
			pred := 0
			if row[0] > 0.5 {
				pred = 1
			}
			if pred == label {
				total++
			}
			continue
		}
		if a.k == 1 {
			if argmax(row) == label {
				total++
			}
			continue
		}
		if label < 0 || label >= n {
			continue
		}
		above := 0
		for _, v := range row {
			if v > row[label] {
				above++
			}
		}
		if above < a.k {
			total++
		}
	}
	return total, float64(m)
}

// argmax returns the index of the first largest value of row.
func argmax(row []float32) int {
	best := 0
	for j, v := range row {
		if v > row[best] {
			best = j
		}
	}
	return best
}

func init() {
	for name, m := range map[string]dl.Metric{
		"accuracy":                          Accuracy,
		"acc":                               SparseCategoricalAccuracy("acc"),
		"sparse_categorical_accuracy":       SparseCategoricalAccuracy(""),
		"sparse_top_k_categorical_accuracy": SparseTopKCategoricalAccuracy(5, ""),
	} {
		dl.RegisterMetric(name, m)
	}
}

// Get returns a metric by its Keras name, case-insensitive: "accuracy", "acc",
// "sparse_categorical_accuracy" or "sparse_top_k_categorical_accuracy" (k = 5), or any name
// given to dl.RegisterMetric. It panics with a *dl.Error listing the known names for any
// other name. It is dl.GetMetric.
func Get(name string) dl.Metric { return dl.GetMetric(name) }

// Names returns the names Get accepts, sorted.
func Names() []string { return dl.MetricNames() }

// SparseCategoricalAccuracyOf returns, for each sample, 1 when the index of the largest
// prediction in yPred [batch, classes] equals the integer label in yTrue [batch] and 0
// otherwise, as the function tf.metrics.sparse_categorical_accuracy(y, p) does; its Mean is
// the batch accuracy (feed it to a MeanMetric with UpdateState).
func SparseCategoricalAccuracyOf(yTrue, yPred *dl.Tensor) *dl.Tensor {
	const op = "SparseCategoricalAccuracyOf"
	if yPred.Rank() != 2 || yTrue.Size() != yPred.Dim(0) {
		panic(&dl.Error{Op: op, Shapes: [][]int{yTrue.Shape(), yPred.Shape()},
			Msg: "needs one label per row of predictions [batch, classes]"})
	}
	m, n := yPred.Dim(0), yPred.Dim(1)
	p := yPred.Data()
	out := make([]float32, m)
	for i := 0; i < m; i++ {
		if argmax(p[i*n:(i+1)*n]) == int(yTrue.At(i)) {
			out[i] = 1
		}
	}
	return dl.FromFloat32(out, m)
}
