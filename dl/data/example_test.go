package data_test

import (
	"fmt"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/data"
)

func ExampleDataset() {
	x := dl.FromInts([]int{0, 1, 2, 3, 4, 5, 6}, 7)
	y := dl.FromInts([]int{10, 11, 12, 13, 14, 15, 16}, 7)
	double := func(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor) { return x.AsFloat32().MulScalar(2), y }
	ds := data.FromTensorSlices(x, y).Map(double, 2).Batch(3, false)
	fmt.Println(ds)
	it := ds.Iter()
	for bx, by, ok := it.Next(); ok; bx, by, ok = it.Next() {
		fmt.Println(bx.Ints(), by.Ints())
	}
	// Output:
	// Dataset: FromTensorSlices(x [7] int32, y [7] int32) → Map(2 workers) → Batch(3) (3 elements)
	// [0 2 4] [10 11 12]
	// [6 8 10] [13 14 15]
	// [12] [16]
}

func ExampleDataset_Shuffle() {
	ds := data.FromTensorSlices(dl.FromInts([]int{0, 1, 2, 3, 4, 5}, 6), nil).Shuffle(6, 42).Repeat(2)
	var order []int
	ds.ForEach(func(x, _ *dl.Tensor) bool { order = append(order, x.Ints()[0]); return true })
	fmt.Println(len(order), order[:6], "then", order[6:])
	again := data.FromTensorSlices(dl.FromInts([]int{0, 1, 2, 3, 4, 5}, 6), nil).Shuffle(6, 42)
	first, _ := again.First()
	fmt.Println(first.Ints()[0] == order[0])
	// Output:
	// 12 [5 4 3 0 1 2] then [1 2 0 5 3 4]
	// true
}
