package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"
)

func TestHistory(t *testing.T) {
	f, err := History(sampleHistory(20), Title("MLP"))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := f.Size(); w < 850 || w > 950 || h != 300 {
		t.Errorf("default size %dx%d, want two 400x300 panels and the legend", w, h)
	}
	_, svg := renderChecks(t, f, 0.02)
	for _, s := range []string{">loss<", ">accuracy<", ">training<", ">validation<", ">MLP<", ">epoch<"} {
		if !strings.Contains(svg, s) {
			t.Errorf("SVG lacks text %s", s)
		}
	}
}

func TestHistoryMetricsAndColumns(t *testing.T) {
	h := sampleHistory(4)
	h["top5_acc"] = []float64{0.5, 0.7, 0.8, 0.9}
	f, err := History(h, Columns(2))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(f.String(), "x600 with 3 Axes>") {
		t.Errorf("got %s", f)
	}
	renderChecks(t, f, 0.02)
	f, err = History(h, Metrics("val_loss"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(f.String(), "x300 with 1 Axes>") {
		t.Errorf("Metrics(val_loss) gave %s, want the loss panel alone", f)
	}
}

// A diverging run: the loss turns NaN at epoch 4 and the curve stops there; the panel
// title names the series and the epoch; a series with no finite value still draws.
func TestHistoryNaN(t *testing.T) {
	nan := math.NaN()
	h := map[string][]float64{
		"loss":     {2.3, 1.9, 5.0, nan, nan, nan},
		"val_loss": {nan, nan, nan, nan, nan, nan},
		"accuracy": {0.1, 0.2, 0.1, 0.1, math.Inf(1), 0.1},
	}
	f, err := History(h)
	if err != nil {
		t.Fatalf("a NaN history must draw, got %v", err)
	}
	_, svg := renderChecks(t, f, 0.02)
	for _, s := range []string{">loss (loss NaN from epoch 4, val_loss NaN from epoch 1)<", ">accuracy (accuracy +Inf from epoch 5)<"} {
		if !strings.Contains(svg, s) {
			t.Errorf("SVG lacks title %q", s)
		}
	}
	// Only the one finite point of a segment: still drawn (a dot), no error.
	if _, err := History(map[string][]float64{"loss": {nan, 1, nan}}); err != nil {
		t.Errorf("isolated point: %v", err)
	}
}

func TestSegments(t *testing.T) {
	nan := math.NaN()
	segs := segments([]float64{1, 2, nan, 3, math.Inf(-1), nan, 4, 5, 6})
	var got []string
	for _, s := range segs {
		var xs []string
		for _, p := range s {
			xs = append(xs, fmt.Sprintf("%g:%g", p.X, p.Y))
		}
		got = append(got, strings.Join(xs, " "))
	}
	want := "1:1 2:2 | 4:3 | 7:4 8:5 9:6"
	if g := strings.Join(got, " | "); g != want {
		t.Errorf("segments = %s, want %s", g, want)
	}
}

func TestEpochTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{1, 5, "1 2 3 4 5"},
		{1, 20, "1 2 4 6 8 10 12 14 16 18 20"},
		{1, 300, "1 50 100 150 200 250 300"},
	} {
		var got []string
		for _, tk := range (epochTicks{}).Ticks(c.lo, c.hi) {
			got = append(got, tk.Label)
		}
		if g := strings.Join(got, " "); g != c.want {
			t.Errorf("Ticks(%g, %g) = %s, want %s", c.lo, c.hi, g, c.want)
		}
	}
}

func TestCompare(t *testing.T) {
	a, b := sampleHistory(10), sampleHistory(10)
	for i := range b["loss"] {
		b["loss"][i] *= 1.3
	}
	c := map[string][]float64{"loss": {3, 2}, "accuracy": {0.2, 0.4}} // no validation
	f, err := Compare([]string{"sgd", "adam", "nadam"}, []map[string][]float64{a, b, c}, Title("optimizers"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.String(), "with 4 Axes") {
		t.Errorf("got %s, want 4 panels (loss, val_loss, accuracy, val_accuracy)", f)
	}
	_, svg := renderChecks(t, f, 0.02)
	for _, s := range []string{">sgd<", ">adam<", ">nadam<", ">val-loss<", ">val-accuracy<"} {
		if !strings.Contains(svg, s) {
			t.Errorf("SVG lacks %s", s)
		}
	}
	// A run that diverges is named in the title of the panel where it does.
	d := map[string][]float64{"loss": {2, 9, math.NaN()}}
	f, err = Compare([]string{"sgd", "big-lr"}, []map[string][]float64{a, d})
	if err != nil {
		t.Fatal(err)
	}
	if _, svg := renderChecks(t, f, 0.02); !strings.Contains(svg, ">loss (big-lr NaN from epoch 3)<") {
		t.Error("the loss panel's title should name the diverging run")
	}
	f, err = Compare([]string{"a", "b"}, []map[string][]float64{a, b}, Metrics("val_accuracy", "missing"), Columns(3))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(f.String(), "with 1 Axes") {
		t.Errorf("Metrics(val_accuracy) gave %s", f)
	}
}

func TestImageGridTitles(t *testing.T) {
	n, h, w := 6, 12, 12
	pix := make([]float32, n*h*w)
	for i := range pix {
		pix[i] = float32(i%7) / 6
	}
	names := []string{"zero", "one", "two", "three", "four", "five"}
	right, err := ImageGrid(pix, n, h, w, 1, Labels([]int{0, 1, 2, 3, 4, 5}), Predictions([]int{0, 1, 2, 3, 4, 5}), ClassNames(names))
	if err != nil {
		t.Fatal(err)
	}
	img, svg := renderChecks(t, right, 0.2)
	if !strings.Contains(svg, ">three<") {
		t.Error("titles lack the class name three")
	}
	if r := countRed(img); r != 0 {
		t.Errorf("all predictions right, yet %d red pixels", r)
	}
	wrong, err := ImageGrid(pix, n, h, w, 1, Labels([]int{0, 1, 2, 3, 4, 5}), Predictions([]int{0, 1, 2, 3, 4, 0}), ClassNames(names))
	if err != nil {
		t.Fatal(err)
	}
	img, svg = renderChecks(t, wrong, 0.2)
	if r := countRed(img); r < 20 {
		t.Errorf("a wrong prediction should have a red title, found %d red pixels", r)
	}
	if !strings.Contains(svg, ">zero (five)<") {
		t.Error("the wrong title should read \"zero (five)\"")
	}
}

func TestImageGridRGBAndUint8(t *testing.T) {
	n, h, w := 3, 5, 7
	f32 := make([]float32, n*h*w*3)
	u8 := make([]uint8, n*h*w*3)
	for i := range f32 {
		f32[i] = float32(i%3) * 0.5
		u8[i] = uint8(i % 256)
	}
	f, err := ImageGrid(f32, n, h, w, 3, Columns(3))
	if err != nil {
		t.Fatal(err)
	}
	img, _ := renderChecks(t, f, 0.2)
	// Pixel (0,0) of image 0 is (R, G, B) = (0, 0.5, 1): find that colour in the rendering.
	found := false
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y && !found; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r>>8 < 8 && g>>8 > 120 && g>>8 < 136 && bl>>8 > 247 {
				found = true
				break
			}
		}
	}
	if !found {
		t.Error("the RGB pixel (0, 0.5, 1) does not appear: channels misread")
	}
	if f, err = ImageGridUint8(u8, n, h, w, 3, Labels([]int{1, 2, 3})); err != nil {
		t.Fatal(err)
	}
	renderChecks(t, f, 0.2)
	single, err := ImageGridUint8(u8[:h*w*3], 1, h, w, 3)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := single.Size(); w != 200 {
		t.Errorf("a single small image is %d wide, want the 200 minimum", w)
	}
}

func TestFeatureMapsAndKernels(t *testing.T) {
	h, w, c := 10, 10, 5
	act := make([]float32, h*w*c)
	for i := range act {
		act[i] = float32(i%13) - 6 // arbitrary range: scaled per map
	}
	f, err := FeatureMaps(act, h, w, c)
	if err != nil {
		t.Fatal(err)
	}
	renderChecks(t, f, 0.2)
	// A single map of arbitrary values, as imshow of a convolution output.
	if f, err = FeatureMaps(act[:h*w], h, w, 1); err != nil {
		t.Fatal(err)
	}
	renderChecks(t, f, 0.2)

	k := make([]float32, 3*3*2*4)
	for i := range k {
		k[i] = float32(math.Sin(float64(i)))
	}
	f, err = Kernels(k, 3, 3, 2, 4)
	if err != nil {
		t.Fatal(err)
	}
	_, svg := renderChecks(t, f, 0.2)
	if !strings.Contains(svg, ">1,3<") {
		t.Error("kernel titles should name input,filter when cin > 1")
	}
}

func TestDiverging(t *testing.T) {
	if c := diverging(0, 1); c.R != 255 || c.G != 255 || c.B != 255 {
		t.Errorf("zero maps to %v, want white", c)
	}
	if c := diverging(1, 1); c.R <= c.B {
		t.Errorf("positive maps to %v, want red", c)
	}
	if c := diverging(-2, 1); c.B <= c.R {
		t.Errorf("negative maps to %v, want blue", c)
	}
}

func TestPredictionGrid(t *testing.T) {
	n, h, w, classes := 4, 8, 8, 10
	pix := make([]float32, n*h*w)
	probs := make([]float32, n*classes)
	for i := range n {
		probs[i*classes+i] = 0.7
		probs[i*classes+(i+1)%classes] = 0.2
		probs[i*classes+(i+2)%classes] = 0.1
	}
	f, err := PredictionGrid(pix, n, h, w, 1, probs, classes, ClassNames([]string{"tench, Tinca tinca", "goldfish"}), Labels([]int{0, 1, 2, 9}))
	if err != nil {
		t.Fatal(err)
	}
	img, svg := renderChecks(t, f, 0.05)
	if !strings.Contains(svg, ">tench<") || strings.Contains(svg, "Tinca") {
		t.Error("class names should be cut at the first comma")
	}
	if !strings.Contains(svg, ">70%<") {
		t.Error("bars should carry their percentage")
	}
	if countRed(img) == 0 {
		t.Error("image 3 (true 9, top 3) should have a red top bar")
	}
	if f, err = PredictionGrid(pix[:h*w], 1, h, w, 1, probs[:classes], classes, TopK(2)); err != nil {
		t.Fatal(err)
	}
	_, svg = renderChecks(t, f, 0.02)
	if strings.Contains(svg, ">10%<") {
		t.Error("TopK(2) should leave the third class out")
	}
}

func TestConfusionMatrix(t *testing.T) {
	labels := []int{0, 0, 1, 1, 2, 2, 2, 2}
	preds := []int{0, 1, 1, 1, 2, 2, 2, 0}
	f, err := ConfusionMatrix(labels, preds, 3, ClassNames([]string{"cat", "dog", "bird"}))
	if err != nil {
		t.Fatal(err)
	}
	_, svg := renderChecks(t, f, 0.1)
	for _, s := range []string{"accuracy 75.00% (n = 8)", ">bird<", ">3<", ">predicted<"} {
		if !strings.Contains(svg, s) {
			t.Errorf("SVG lacks %s", s)
		}
	}
}

// The live training view redraws the history a few times per second: check that a
// 300-epoch history renders to PNG well within that budget (a loose bound, since the
// machine is shared; BenchmarkHistoryPNG measures it).
func TestHistoryFastEnough(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	f, err := History(sampleHistory(300))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	const runs = 3
	for range runs {
		if len(f.PNG()) == 0 {
			t.Fatal("empty PNG")
		}
	}
	if per := time.Since(start) / runs; per > time.Second {
		t.Errorf("History PNG takes %v, want well under a second", per)
	}
}

func BenchmarkHistoryPNG(b *testing.B) {
	h := sampleHistory(300)
	for b.Loop() {
		f, err := History(h)
		if err != nil {
			b.Fatal(err)
		}
		_ = f.PNG()
	}
}

func BenchmarkHistorySVG(b *testing.B) {
	h := sampleHistory(300)
	for b.Loop() {
		f, _ := History(h)
		_ = f.SVG()
	}
}

func BenchmarkImageGrid100(b *testing.B) {
	pix := make([]float32, 100*28*28)
	for i := range pix {
		pix[i] = float32(i%255) / 255
	}
	for b.Loop() {
		f, _ := ImageGrid(pix, 100, 28, 28, 1)
		_ = f.PNG()
	}
}

func TestImage(t *testing.T) {
	// A convolution output in [-3, 5]: scaled so the minimum is black and the maximum white.
	h, w := 40, 300
	pix := make([]float32, h*w)
	for i := range pix {
		pix[i] = float32(i%w)/float32(w-1)*8 - 3
	}
	f, err := Image(pix, h, w, 1)
	if err != nil {
		t.Fatal(err)
	}
	if fw, fh := f.Size(); fw != 300 || fh != 40 {
		t.Errorf("size %dx%d, want the image's own 300x40", fw, fh)
	}
	img, _ := renderChecks(t, f, 0.5)
	// Along the middle row the ramp runs from black (left) to white (right), inside the
	// white margin.
	b := img.Bounds()
	darkest, darkX, firstWhiteAfter := uint32(0xffff), -1, -1
	for x := b.Min.X; x < b.Max.X; x++ {
		v, _, _, _ := img.At(x, b.Dy()/2).RGBA()
		if v < darkest {
			darkest, darkX = v, x
		}
		if darkX >= 0 && v >= 0xf000 && firstWhiteAfter < 0 {
			firstWhiteAfter = x
		}
	}
	if darkest > 0x0400 || firstWhiteAfter < 0 {
		t.Errorf("darkest %#x at x=%d, white after it at x=%d: want black on the left reaching white", darkest, darkX, firstWhiteAfter)
	}
	if _, err := Image(pix[:10], h, w, 1); !errors.Is(err, ErrShape) {
		t.Errorf("short buffer: %v", err)
	}
}

// Large inputs get default sizes that stay renderable: tiles shrink instead of the figure
// growing to hundreds of megapixels.
func TestLargeInputsStayBounded(t *testing.T) {
	bounded := func(name string, f *Figure, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if w, h := f.Size(); w > maxDefaultWidth || h > maxDefaultHeight+30 || w < 16 || h < 16 {
			t.Errorf("%s: default size %dx%d beyond %dx%d", name, w, h, maxDefaultWidth, maxDefaultHeight)
		}
	}
	f, err := ImageGridUint8(make([]uint8, 1000*28*28), 1000, 28, 28, 1, Labels(make([]int, 1000)))
	bounded("1000 images", f, err)
	f, err = Kernels(make([]float32, 3*3*32*64), 3, 3, 32, 64)
	bounded("32x64 kernels", f, err)
	labels := make([]int, 200)
	for i := range labels {
		labels[i] = i % 100
	}
	f, err = ConfusionMatrix(labels, labels, 100)
	bounded("100 classes", f, err)
	f, err = PredictionGrid(make([]float32, 400*4), 400, 2, 2, 1, make([]float32, 400*3), 3)
	bounded("400 predictions", f, err)
	if f, _ := History(sampleHistory(3), Size(100000, 100)); f != nil {
		if w, _ := f.Size(); w == 100000 {
			t.Error("Size(100000, 100) accepted")
		}
	}
}

// BenchmarkEncodePNG compares the chart encoder with image/png on a History rendering.
func BenchmarkEncodePNG(b *testing.B) {
	f, err := History(sampleHistory(300))
	if err != nil {
		b.Fatal(err)
	}
	img := f.Image(PNGScale).(*image.RGBA)
	b.Run("image-png-bestspeed", func(b *testing.B) {
		for b.Loop() {
			var buf bytes.Buffer
			_ = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img)
			b.ReportMetric(float64(buf.Len()), "bytes")
		}
	})
	b.Run("chart-encoder", func(b *testing.B) {
		for b.Loop() {
			var buf bytes.Buffer
			_ = encodeOpaquePNG(&buf, img)
			b.ReportMetric(float64(buf.Len()), "bytes")
		}
	})
}

// BenchmarkHistoryPNG20 is the common case: a 20-epoch history redrawn after each epoch.
func BenchmarkHistoryPNG20(b *testing.B) {
	h := sampleHistory(20)
	for b.Loop() {
		f, _ := History(h)
		_ = f.PNG()
	}
}
