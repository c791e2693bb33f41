package images

import (
	"fmt"
	"math/rand/v2"
	"sync"

	"godl.dev/godl/dl"
)

// Random draws the random parameters of the augmentation ops (tf.image.random_*) from one
// seeded source. Its methods are safe for concurrent use; the draws follow the order of
// the calls, so a pipeline is reproducible when the calls come in a fixed order. In a
// parallel pipeline, make one Random per element from the seed data.MapSeeded passes:
//
//	ds.MapSeeded(func(x, y *dl.Tensor, seed int64) (*dl.Tensor, *dl.Tensor) {
//		return images.NewRandom(seed).FlipLeftRight(x), y
//	}, 4, 42)
type Random struct {
	mu sync.Mutex
	r  *rand.Rand
}

// NewRandom returns a Random whose draws depend only on seed.
func NewRandom(seed int64) *Random {
	return &Random{r: rand.New(rand.NewPCG(uint64(seed), 0x5eed))}
}

func (r *Random) float() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.Float64()
}

func (r *Random) intN(n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.IntN(n)
}

// FlipLeftRight mirrors each image of img with probability 1/2, as
// tf.image.random_flip_left_right; the others are copied unchanged.
func (r *Random) FlipLeftRight(img *dl.Tensor) *dl.Tensor {
	n, _, _, _ := geometry("Random.FlipLeftRight", img)
	if img.Rank() == 3 {
		if r.float() < 0.5 {
			return FlipLeftRight(img)
		}
		return img.AsFloat32().Clone()
	}
	out := dl.Zeros(img.Shape()...)
	for i := range n {
		one := img.Index(i)
		if r.float() < 0.5 {
			one = FlipLeftRight(one)
		}
		out.Index(i).CopyFrom(one)
	}
	return out
}

// Brightness adds one delta drawn uniformly from [−maxDelta, maxDelta) to every value of
// img, as tf.image.random_brightness(img, max_delta).
func (r *Random) Brightness(img *dl.Tensor, maxDelta float64) *dl.Tensor {
	if maxDelta < 0 {
		panic(fmt.Errorf("images: Random.Brightness: maxDelta %v must not be negative", maxDelta))
	}
	return AdjustBrightness(img, (2*r.float()-1)*maxDelta)
}

// Saturation multiplies the saturation of the RGB img by one factor drawn uniformly from
// [lower, upper), as tf.image.random_saturation(img, lower, upper).
func (r *Random) Saturation(img *dl.Tensor, lower, upper float64) *dl.Tensor {
	if lower < 0 || upper < lower {
		panic(fmt.Errorf("images: Random.Saturation: want 0 ≤ lower ≤ upper, got %v and %v", lower, upper))
	}
	return AdjustSaturation(img, lower+(upper-lower)*r.float())
}

// Crop returns a height × width window of img at an offset drawn uniformly among those
// that fit, the same for every image of a batch, as tf.image.random_crop.
func (r *Random) Crop(img *dl.Tensor, height, width int) *dl.Tensor {
	_, h, w, _ := geometry("Random.Crop", img)
	if height < 1 || width < 1 || height > h || width > w {
		panic(fmt.Errorf("images: Random.Crop: a %d×%d window does not fit in a %d×%d image", height, width, h, w))
	}
	top := r.intN(h - height + 1)
	left := r.intN(w - width + 1)
	return Crop(img, top, left, height, width)
}
