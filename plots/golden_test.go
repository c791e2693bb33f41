package plots

import (
	"flag"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"
)

var regen = flag.Bool("regen", false, "rewrite the golden images in testdata/ from the current rendering")

// Golden-image tolerance: a pixel differs when a channel is off by more than goldenLevels;
// a figure matches when at most goldenFraction of its pixels differ. Anti-aliasing may
// differ slightly between architectures (the goldens were made on amd64); a lost title,
// legend or curve moves far more pixels than this.
const (
	goldenLevels   = 32
	goldenFraction = 0.002
)

// goldenFigures are drawn from fixed data, at scale 1 to keep the goldens small.
func goldenFigures(t *testing.T) map[string]*Figure {
	t.Helper()
	must := func(f *Figure, err error) *Figure {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	nan := math.NaN()
	diverged := sampleHistory(12)
	diverged["val_loss"][8], diverged["val_loss"][9], diverged["val_loss"][10], diverged["val_loss"][11] = 40, nan, nan, nan

	const n, h, w = 6, 14, 14
	pix := make([]float32, n*h*w)
	for i := range n {
		for y := range h {
			for x := range w {
				if d := math.Hypot(float64(x)-6.5, float64(y)-6.5); math.Abs(d-float64(2+i%4)) < 1 {
					pix[(i*h+y)*w+x] = 1
				}
			}
		}
	}
	probs := []float32{0.7, 0.2, 0.1, 0, 0.05, 0.9, 0.05, 0}
	kernel := make([]float32, 3*3*1*4)
	for i := range kernel {
		kernel[i] = float32(math.Sin(float64(i) * 0.7))
	}
	return map[string]*Figure{
		"history_nan": must(History(diverged, Size(480, 200), Title("diverging run"))),
		"compare": must(Compare([]string{"sgd", "adam"}, []map[string][]float64{sampleHistory(8), sampleHistory(5)},
			Metrics("loss", "val_accuracy"), Size(520, 200))),
		"grid": must(ImageGrid(pix, n, h, w, 1, Labels([]int{0, 1, 2, 3, 4, 5}), Predictions([]int{0, 1, 2, 3, 4, 1}), Columns(3))),
		"predictions": must(PredictionGrid(pix[:2*h*w], 2, h, w, 1, probs, 4, Labels([]int{0, 2}),
			ClassNames([]string{"zero", "one", "two", "three"}), TopK(3))),
		"confusion": must(ConfusionMatrix([]int{0, 0, 1, 1, 2, 2, 2}, []int{0, 1, 1, 1, 2, 0, 2}, 3, ClassNames([]string{"cat", "dog", "bird"}))),
		"kernels":   must(Kernels(kernel, 3, 3, 1, 4, Size(240, 80))),
	}
}

// TestGolden compares each figure with testdata/<name>_golden.png within the tolerance.
// After an intended change of the drawing, run `go test ./plots -run Golden -regen` and
// look at the new goldens before committing them.
func TestGolden(t *testing.T) {
	for name, f := range goldenFigures(t) {
		got := f.Image(1)
		path := filepath.Join("testdata", name+"_golden.png")
		if *regen {
			if err := os.MkdirAll("testdata", 0o755); err != nil {
				t.Fatal(err)
			}
			if err := writePNGFile(path, got); err != nil {
				t.Fatal(err)
			}
			continue
		}
		file, err := os.Open(path)
		if err != nil {
			t.Errorf("%s: %v (run go test ./plots -run Golden -regen to create it)", name, err)
			continue
		}
		want, err := png.Decode(file)
		file.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if got.Bounds() != want.Bounds() {
			t.Errorf("%s: size %v, golden %v", name, got.Bounds(), want.Bounds())
			continue
		}
		if frac := differing(got, want); frac > goldenFraction {
			out := filepath.Join(t.TempDir(), name+".png")
			if err := writePNGFile(out, got); err == nil {
				// t.TempDir is removed after the test; keep a copy where it can be looked at.
				keep := filepath.Join(os.TempDir(), "plots_"+name+".png")
				_ = writePNGFile(keep, got)
				out = keep
			}
			t.Errorf("%s: %.3f%% of pixels differ from %s (tolerance %.2f%%); rendering written to %s",
				name, 100*frac, path, 100*goldenFraction, out)
		}
	}
}

// differing returns the fraction of pixels of a and b (same bounds) whose channels differ
// by more than goldenLevels.
func differing(a, b image.Image) float64 {
	r := a.Bounds()
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			r1, g1, b1, _ := a.At(x, y).RGBA()
			r2, g2, b2, _ := b.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) {
				n++
			}
		}
	}
	return float64(n) / float64(r.Dx()*r.Dy())
}

func far(a, b uint32) bool {
	d := int(a>>8) - int(b>>8)
	return d > goldenLevels || d < -goldenLevels
}

func writePNGFile(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
