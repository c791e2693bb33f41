package optimizers_test

import (
	"fmt"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/optimizers"
)

// Adam's first step moves each weight by about the learning rate, whatever the gradient's
// scale: m/(√v + ε) is ±1 at step 1.
func ExampleAdam() {
	opt := optimizers.Adam()
	w := dl.Variable(dl.FromFloat64([]float64{1, 1}, 2), "w")
	opt.ApplyGradients([]*dl.Tensor{dl.FromFloat64([]float64{100, -0.01}, 2)}, []*dl.Tensor{w})
	fmt.Printf("%.4f after %d step\n", w.Float64s(), opt.Iterations)
	// Output:
	// [0.9990 1.0010] after 1 step
}

// SGD(momentum=0.9, nesterov=True) in Keras, and a learning rate changed between steps as
// the learning-rate callbacks do.
func ExampleSGDMomentum() {
	opt := optimizers.SGDMomentum(0.9, true)
	w := dl.Variable(dl.FromFloat64([]float64{1}, 1), "w")
	g := []*dl.Tensor{dl.FromFloat64([]float64{1}, 1)}
	opt.ApplyGradients(g, []*dl.Tensor{w})
	fmt.Printf("%.4f\n", w.Float64s()[0]) // 1 + 0.9·(-0.01) - 0.01
	opt.SetLearningRate(0.1)
	opt.ApplyGradients(g, []*dl.Tensor{w}) // v = 0.9·(-0.01) - 0.1 = -0.109
	fmt.Printf("%.4f\n", w.Float64s()[0])  // 0.981 + 0.9·(-0.109) - 0.1
	// Output:
	// 0.9810
	// 0.7829
}

func ExampleGet() {
	for _, name := range optimizers.Names() {
		opt := optimizers.Get(name).(dl.LearningRater)
		fmt.Println(name, opt.Name(), opt.CurrentLearningRate())
	}
	// Output:
	// adadelta Adadelta 0.001
	// adagrad Adagrad 0.001
	// adam Adam 0.001
	// rmsprop RMSprop 0.001
	// sgd SGD 0.01
}
