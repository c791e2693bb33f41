package applications_test

import (
	"fmt"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/applications"
)

func ExampleResNet18Book() {
	dl.SetSeed(1)
	m := applications.ResNet18Book([]int{28, 28, 1}, 10, 8, true) // 8 filters, 3×3 stem for small images
	total, trainable := dl.CountParams(m.Weights())
	fmt.Println(len(m.Layers()), "layers,", total, "parameters,", total-trainable, "non-trainable")
	fmt.Println(m.Output().Shape())
	// Output:
	// 66 layers, 177610 parameters, 976 non-trainable
	// [-1 10]
}
