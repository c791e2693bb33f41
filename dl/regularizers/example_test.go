package regularizers_test

import (
	"fmt"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/regularizers"
)

func Example() {
	w := dl.FromFloat32([]float32{1, -2, 0.5})
	fmt.Printf("l2: %.4f\n", regularizers.L2(0.01).Penalty(w).Item())
	fmt.Printf("l1: %.4f\n", regularizers.L1(0.01).Penalty(w).Item())

	// A layer with a regularizer reports its penalties as losses, which Fit adds to the loss.
	d := layers.Dense(3, layers.KernelRegularizer(regularizers.L2(0.01)), layers.KernelInitializer(layers.Ones))
	d.Build([]int{-1, 4})
	fmt.Printf("Dense losses: %d, kernel penalty %.2f\n", len(d.Losses()), d.Losses()[0].Item())
	// Output:
	// l2: 0.0525
	// l1: 0.0350
	// Dense losses: 1, kernel penalty 0.12
}
