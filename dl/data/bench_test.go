package data_test

import (
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/data"
	"godl.dev/godl/dl/datasets"
)

// BenchmarkMNISTPipeline measures the pipeline alone over MNIST's training images at batch
// 32, in batches per second: shuffled uint8 batches, scaled (float32) batches, and scaled
// batches after a per-image Map on 1 and 2 workers. A LeNet-5 training step must take
// longer than a batch here for the pipeline to keep training fed.
//
//	go test -run '^$' -bench MNISTPipeline ./dl/data
func BenchmarkMNISTPipeline(b *testing.B) {
	train, _, err := datasets.LoadMNIST("")
	if err != nil {
		b.Skip(err)
	}
	scale := func(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor) {
		return x.AsFloat32().MulScalar(1.0 / 255), y // a float32 copy per image
	}
	cases := []struct {
		name string
		ds   *data.Dataset
	}{
		{"uint8", data.FromTensorSlices(train.X, train.Y).Shuffle(10000, 1).Batch(32, false).Prefetch(1)},
		{"uint8-scaled-batch", data.FromTensorSlices(train.X, train.Y).Shuffle(10000, 1).Batch(32, false).Map(func(x, y *dl.Tensor) (*dl.Tensor, *dl.Tensor) {
			return x.DivScalar(255), y
		}, 1).Prefetch(1)},
		{"scaled", data.FromTensorSlices(train.X.DivScalar(255), train.Y).Shuffle(10000, 1).Batch(32, false).Prefetch(1)},
		{"map-1", data.FromTensorSlices(train.X, train.Y).Shuffle(10000, 1).Map(scale, 1).Batch(32, false).Prefetch(1)},
		{"map-2", data.FromTensorSlices(train.X, train.Y).Shuffle(10000, 1).Map(scale, 2).Batch(32, false).Prefetch(1)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			it := c.ds.Repeat(-1).Iter()
			defer it.Close()
			b.ResetTimer()
			for range b.N {
				if _, _, ok := it.Next(); !ok {
					b.Fatal("ended")
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "batches/s")
		})
	}
}
