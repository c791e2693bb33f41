package images

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"godl.dev/godl/dl"
)

func img(h, w, c int, vals ...float64) *dl.Tensor {
	return dl.FromFloat64(vals, h, w, c)
}

func near(a []float32, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i])-b[i]) > 1e-5 {
			return false
		}
	}
	return true
}

// Each op against pixels computed by hand (the arithmetic is in the comments).
func TestOps(t *testing.T) {
	sq := img(2, 2, 1, 0, 10, 20, 30)
	tests := []struct {
		desc  string
		got   *dl.Tensor
		shape []int
		want  []float64
	}{
		{"convert uint8", ConvertImageDtype(dl.FromUint8([]uint8{0, 51, 255}, 1, 3, 1)), []int{1, 3, 1}, []float64{0, 0.2, 1}},
		// Half-pixel centres: output i samples input (i+0.5)/2-0.5 = -0.25, 0.25, 0.75,
		// 1.25, clamped, so the weights of the second pixel are 0, 1/4, 3/4, 1.
		{"resize bilinear 2→4", Resize(sq, 4, 4, Bilinear), []int{4, 4, 1}, []float64{
			0, 2.5, 7.5, 10,
			5, 7.5, 12.5, 15,
			15, 17.5, 22.5, 25,
			20, 22.5, 27.5, 30}},
		// Output i takes input floor((i+0.5)/2) = 0, 0, 1, 1.
		{"resize nearest 2→4", Resize(sq, 4, 4, Nearest), []int{4, 4, 1}, []float64{
			0, 0, 10, 10, 0, 0, 10, 10, 20, 20, 30, 30, 20, 20, 30, 30}},
		// Output i takes input floor((i+0.5)·2) = 1, 3.
		{"resize nearest 4→2", Resize(Resize(sq, 4, 4, Bilinear), 2, 2, Nearest), []int{2, 2, 1}, []float64{7.5, 15, 22.5, 30}},
		// Bilinear 4→2 samples (i+0.5)·2-0.5 = 0.5, 2.5: the mean of pixels 0,1 and 2,3.
		{"resize bilinear 4→2", Resize(img(1, 4, 1, 0, 4, 8, 16), 1, 2, Bilinear), []int{1, 2, 1}, []float64{2, 12}},
		{"resize a batch", Resize(dl.FromFloat64([]float64{1, 1, 1, 1, 0, 10, 20, 30}, 2, 2, 2, 1), 1, 1, Bilinear), []int{2, 1, 1, 1}, []float64{1, 15}},
		{"flip keeps channels", FlipLeftRight(img(1, 3, 2, 1, 2, 3, 4, 5, 6)), []int{1, 3, 2}, []float64{5, 6, 3, 4, 1, 2}},
		{"brightness", AdjustBrightness(img(1, 2, 1, 0.25, 1), 0.1), []int{1, 2, 1}, []float64{0.35, 1.1}},
		// (0.8, 0.4, 0.2): v = 0.8, s = 0.6/0.8 = 0.75, h = (0.4-0.2)/0.6/6 = 1/18. Half
		// the saturation, 0.375: p = v(1-s) = 0.5, t = v(1-s(1-6h)) = 0.8·0.75 = 0.6, and
		// hue sector 0 gives (v, t, p). Grey has no saturation to change.
		{"saturation ×0.5", AdjustSaturation(img(1, 2, 3, 0.8, 0.4, 0.2, 0.5, 0.5, 0.5), 0.5), []int{1, 2, 3}, []float64{0.8, 0.6, 0.5, 0.5, 0.5, 0.5}},
		// ×2 gives 1.5, limited to 1: p = 0, t = 0.8·(1-2/3).
		{"saturation ×2", AdjustSaturation(img(1, 1, 3, 0.8, 0.4, 0.2), 2), []int{1, 1, 3}, []float64{0.8, 0.8 / 3, 0}},
		{"crop", Crop(img(3, 3, 1, 0, 1, 2, 3, 4, 5, 6, 7, 8), 1, 1, 2, 2), []int{2, 2, 1}, []float64{4, 5, 7, 8}},
		// 5×5 at 0.5: start int((5-2.5)/2) = 1, size 5-2 = 3.
		{"central crop", CentralCrop(img(5, 5, 1, seq(25)...), 0.5), []int{3, 3, 1}, []float64{6, 7, 8, 11, 12, 13, 16, 17, 18}},
		{"pad", Pad(img(1, 1, 1, 7), 1, 2, 2, 3), []int{2, 3, 1}, []float64{0, 0, 0, 0, 0, 7}},
	}
	for _, tc := range tests {
		if !tc.got.HasShape(tc.shape...) || !near(tc.got.Float32s(), tc.want) {
			t.Errorf("%s: got %v %v, want %v %v", tc.desc, tc.got.Shape(), tc.got.Float32s(), tc.shape, tc.want)
		}
	}
}

func seq(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = float64(i)
	}
	return s
}

func TestHSVRoundTrip(t *testing.T) {
	for _, p := range [][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.2, 0.7, 0.4}, {0.9, 0.1, 0.6}, {0.3, 0.3, 0.3}} {
		h, s, v := RGBToHSV(p[0], p[1], p[2])
		r, g, b := HSVToRGB(h, s, v)
		if math.Abs(r-p[0])+math.Abs(g-p[1])+math.Abs(b-p[2]) > 1e-9 {
			t.Errorf("%v → (%v %v %v) → (%v %v %v)", p, h, s, v, r, g, b)
		}
	}
	if h, s, v := RGBToHSV(0, 0, 1); math.Abs(h-2.0/3) > 1e-12 || s != 1 || v != 1 {
		t.Errorf("blue: %v %v %v, want 2/3 1 1", h, s, v)
	}
}

func TestRandomDeterministic(t *testing.T) {
	x := img(4, 4, 3, seq(48)...).DivScalar(48)
	run := func(seed int64) string {
		r := NewRandom(seed)
		var b strings.Builder
		for range 20 {
			y := r.Crop(r.Saturation(r.Brightness(r.FlipLeftRight(x), 0.1), 0.5, 1.5), 3, 2)
			fmt.Fprint(&b, y.Float32s())
		}
		return b.String()
	}
	if a, b := run(1), run(1); a != b {
		t.Error("the same seed gives different results")
	}
	if run(1) == run(2) {
		t.Error("seeds 1 and 2 give the same results")
	}
	r := NewRandom(3)
	flips := 0
	for range 200 {
		y := r.FlipLeftRight(x)
		if y.At(0, 0, 0) != x.At(0, 0, 0) {
			flips++
		}
		d := r.Brightness(x, 0.1).At(1, 1, 1) - x.At(1, 1, 1)
		if d < -0.1 || d >= 0.1 {
			t.Fatalf("brightness delta %v outside [-0.1, 0.1)", d)
		}
	}
	if flips < 70 || flips > 130 {
		t.Errorf("%d flips in 200, want about 100", flips)
	}
	// A batch flips each image on its own.
	batch := dl.Stack(0, x, x, x, x, x, x, x, x)
	y := NewRandom(4).FlipLeftRight(batch)
	same := 0
	for i := range 8 {
		if y.At(i, 0, 0, 0) == x.At(0, 0, 0) {
			same++
		}
	}
	if same == 0 || same == 8 {
		t.Errorf("%d of 8 images unflipped: the batch was flipped as one", same)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		desc string
		f    func()
		want string
	}{
		{"rank 2", func() { FlipLeftRight(dl.Zeros(2, 2)) }, "want an image [H W C]"},
		{"crop outside", func() { Crop(dl.Zeros(3, 3, 1), 2, 2, 2, 2) }, "does not fit"},
		{"saturation on grey", func() { AdjustSaturation(dl.Zeros(3, 3, 1), 2) }, "3 channels"},
		{"random crop too big", func() { NewRandom(1).Crop(dl.Zeros(3, 3, 1), 4, 1) }, "does not fit"},
	}
	for _, tc := range tests {
		func() {
			defer func() {
				if v := recover(); v == nil || !strings.Contains(fmt.Sprint(v), tc.want) {
					t.Errorf("%s: panic %v, want one containing %q", tc.desc, v, tc.want)
				}
			}()
			tc.f()
		}()
	}
}
