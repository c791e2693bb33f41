// Package metrics provides the quantities dl models report during training, under their
// Keras names.
package metrics

import (
	"godl.dev/godl/dl"
)

// Accuracy is the fraction of samples whose predicted class is the label, as Keras's
// 'accuracy' with integer labels (sparse categorical accuracy): the predicted class is the
// index of the largest output, or, for a single output, whether it exceeds 0.5.
var Accuracy dl.Metric = SparseCategoricalAccuracy("accuracy")

// SparseCategoricalAccuracy returns the accuracy metric under another name, as
// tf.metrics.SparseCategoricalAccuracy(name='acc') does (History then has "acc" and
// "val_acc").
func SparseCategoricalAccuracy(name string) dl.Metric { return accuracy{name} }

type accuracy struct{ name string }

func (a accuracy) Name() string { return a.name }

// Batch returns (correct predictions, batch size). yPred is [batch, classes].
func (a accuracy) Batch(yTrue, yPred *dl.Tensor) (total, count float64) {
	if yPred.Rank() != 2 || yPred.Dim(0) != yTrue.Size() {
		panic(&dl.Error{Op: "accuracy", Shapes: [][]int{yTrue.Shape(), yPred.Shape()},
			Msg: "needs one label per row of predictions [batch, classes]"})
	}
	m, n := yPred.Dim(0), yPred.Dim(1)
	p := yPred.Data()
	for i := 0; i < m; i++ {
		row := p[i*n : (i+1)*n]
		best := 0
		if n == 1 {
			if row[0] > 0.5 {
				best = 1
			}
		} else {
			for j, v := range row {
				if v > row[best] {
					best = j
				}
			}
		}
		if best == int(yTrue.At(i)) {
			total++
		}
	}
	return total, float64(m)
}
