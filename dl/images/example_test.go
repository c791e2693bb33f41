package images_test

import (
	"fmt"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/images"
)

func ExampleResize() {
	img := dl.FromUint8([]uint8{0, 100, 200, 255}, 2, 2, 1)
	x := images.ConvertImageDtype(img) // [0, 1]
	// Output pixel i takes input floor((i+0.5)·2/3): 0, 1, 1.
	fmt.Println(images.Resize(x, 3, 3, images.Nearest).Reshape(3, 3).Mul(dl.Scalar(255)))
	fmt.Println(images.FlipLeftRight(img).Reshape(2, 2))
	// Output:
	// [[  0. 100. 100.]
	//  [200. 255. 255.]
	//  [200. 255. 255.]]
	// [[100.   0.]
	//  [255. 200.]]
}
