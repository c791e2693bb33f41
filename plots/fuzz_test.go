package plots

import (
	"errors"
	"testing"
)

// FuzzConstructors feeds arbitrary dimensions and buffer lengths to the image constructors:
// each must return a figure or one of the named errors, never panic.
func FuzzConstructors(f *testing.F) {
	f.Add(2, 3, 3, 1, 18, 5)
	f.Add(1, 4, 4, 3, 48, 2)
	f.Add(-1, 1<<31, 1<<31, 3, 0, 0)
	f.Add(1<<40, 1<<40, 1, 1, 7, 3)
	f.Fuzz(func(t *testing.T, n, h, w, c, length, classes int) {
		length = max(0, min(length, 1<<12))
		pix := make([]float32, length)
		u8 := make([]uint8, length)
		named := func(name string, err error) {
			if err != nil && !errors.Is(err, ErrNoData) && !errors.Is(err, ErrShape) &&
				!errors.Is(err, ErrNaN) && !errors.Is(err, ErrRange) {
				t.Errorf("%s: unnamed error %v", name, err)
			}
		}
		_, err := ImageGrid(pix, n, h, w, c)
		named("ImageGrid", err)
		_, err = ImageGridUint8(u8, n, h, w, c, Labels(make([]int, max(0, min(n, 64)))))
		named("ImageGridUint8", err)
		_, err = Image(pix, h, w, c)
		named("Image", err)
		_, err = FeatureMaps(pix, h, w, c)
		named("FeatureMaps", err)
		_, err = Kernels(pix, h, w, c, n)
		named("Kernels", err)
		probs := make([]float32, max(0, min(classes, 64)))
		_, err = PredictionGrid(pix, n, h, w, c, probs, classes)
		named("PredictionGrid", err)
		labels := []int{n % 7, h % 7, classes % 9}
		_, err = ConfusionMatrix(labels, []int{w % 7, c % 7, length % 9}, classes)
		named("ConfusionMatrix", err)
	})
}
