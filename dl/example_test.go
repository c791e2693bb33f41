package dl_test

import (
	"fmt"
	"strings"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)

func ExampleSequential() {
	dl.ClearSession()
	model := dl.NewSequential(
		layers.Flatten(layers.InputShape(28, 28)),
		layers.Dense(128, layers.ReLU),
		layers.Dense(10, layers.Softmax),
	)
	model.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	// Summary prints Keras's fixed-width table; its trailing spaces are trimmed here.
	for _, line := range strings.Split(model.SummaryString(), "\n") {
		fmt.Println(strings.TrimRight(line, " "))
	}
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	// Layer (type)                 Output Shape              Param #
	// =================================================================
	// flatten (Flatten)            (None, 784)               0
	// _________________________________________________________________
	// dense (Dense)                (None, 128)               100480
	// _________________________________________________________________
	// dense_1 (Dense)              (None, 10)                1290
	// =================================================================
	// Total params: 101,770
	// Trainable params: 101,770
	// Non-trainable params: 0
	// _________________________________________________________________
}

func ExampleTensor_String() {
	x := dl.FromFloat32([]float32{1, 2.5, -3, 4}, 2, 2)
	fmt.Println(x)
	fmt.Println(x.Mean())
	// Output:
	// [[ 1.   2.5]
	//  [-3.   4. ]]
	// 1.125
}

func ExampleTensor_Backward() {
	w := dl.Variable(dl.FromFloat32([]float32{1, 2, 3}), "w")
	loss := w.Square().Sum() // Σw²
	loss.Backward()
	fmt.Println(w.Grad()) // 2w
	// Output:
	// [2. 4. 6.]
}

func ExampleTensor_DivScalar() {
	images := dl.FromUint8([]uint8{0, 51, 255}, 1, 3)
	x := images.DivScalar(255) // a float32 view: the bytes are converted when read
	fmt.Println(x.DType(), x.IsScaledView(), x)
	// Output:
	// float32 true [[0.  0.2 1. ]]
}
