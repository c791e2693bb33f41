package plots

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"image"
	"image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"godl.dev/godl/display"
)

// renderChecks renders f as PNG and SVG and checks the PNG's size (PNGScale times the
// logical size), that at least minInk of its pixels are not white, and that the SVG is
// well-formed XML with an <svg> root. It returns the decoded PNG and the SVG text.
func renderChecks(t *testing.T, f *Figure, minInk float64) (image.Image, string) {
	t.Helper()
	w, h := f.Size()
	img, err := png.Decode(bytes.NewReader(f.PNG()))
	if err != nil {
		t.Fatalf("PNG does not decode: %v", err)
	}
	if b := img.Bounds(); b.Dx() != PNGScale*w || b.Dy() != PNGScale*h {
		t.Fatalf("PNG is %dx%d, want %dx%d", b.Dx(), b.Dy(), PNGScale*w, PNGScale*h)
	}
	if ink := inkFraction(img); ink < minInk {
		t.Errorf("PNG is nearly blank: %.4f of pixels drawn, want at least %.4f", ink, minInk)
	}
	svg := f.SVG()
	checkXML(t, svg)
	return img, svg
}

// inkFraction returns the fraction of pixels that are not white.
func inkFraction(img image.Image) float64 {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				n++
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy())
}

// countRed counts strongly red pixels (the colour of wrong predictions).
func countRed(img image.Image) int {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			if r > 0xa000 && g < 0x6000 && bl < 0x6000 {
				n++
			}
		}
	}
	return n
}

func checkXML(t *testing.T, doc string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Fatalf("SVG root element is %q, want svg", root)
	}
}

func sampleHistory(epochs int) map[string][]float64 {
	h := map[string][]float64{}
	for i := range epochs {
		e := float64(i)
		h["loss"] = append(h["loss"], 2*math.Exp(-e/5)+0.1)
		h["val_loss"] = append(h["val_loss"], 2*math.Exp(-e/6)+0.2)
		h["accuracy"] = append(h["accuracy"], 1-0.9*math.Exp(-e/5))
		h["val_accuracy"] = append(h["val_accuracy"], 0.95-0.9*math.Exp(-e/6))
	}
	return h
}

func TestFigureBundle(t *testing.T) {
	f, err := History(sampleHistory(5), Size(500, 200))
	if err != nil {
		t.Fatal(err)
	}
	b := display.Render(f)
	if got := b.Data[display.MIMEText]; got != "<Figure size 500x200 with 2 Axes>" {
		t.Errorf("text/plain = %q", got)
	}
	s, ok := b.Data[display.MIMEPNG].(string)
	if !ok {
		t.Fatalf("bundle has no image/png: %v", b.Data)
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil || cfg.Width != 1000 || cfg.Height != 400 {
		t.Errorf("bundle PNG %dx%d (%v), want 1000x400", cfg.Width, cfg.Height, err)
	}
	md, _ := b.Metadata[display.MIMEPNG].(map[string]any)
	if md["width"] != 500 || md["height"] != 200 {
		t.Errorf("PNG metadata = %v, want width 500 height 200", b.Metadata)
	}
}

func TestSave(t *testing.T) {
	f, err := History(sampleHistory(3))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, name := range []string{"a.png", "b.SVG"} {
		path := filepath.Join(dir, name)
		if err := f.Save(path); err != nil {
			t.Fatalf("Save(%s): %v", name, err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".png") {
			if _, err := png.Decode(bytes.NewReader(data)); err != nil {
				t.Errorf("%s: %v", name, err)
			}
		} else {
			checkXML(t, string(data))
		}
	}
	if err := f.Save(filepath.Join(dir, "c.jpg")); err == nil || !strings.Contains(err.Error(), ".png or .svg") {
		t.Errorf("Save(.jpg) error = %v, want one naming the extensions", err)
	}
	if err := f.Encode(io.Discard, "pdf"); err == nil {
		t.Error("Encode(pdf) succeeded, want an error")
	}
}

func TestSizeOption(t *testing.T) {
	f, err := ImageGrid(make([]float32, 4*8*8), 4, 8, 8, 1, Size(123, 77))
	if err != nil {
		t.Fatal(err)
	}
	if w, h := f.Size(); w != 123 || h != 77 {
		t.Errorf("Size = %dx%d, want 123x77", w, h)
	}
	renderChecks(t, f, 0.01)
}

func TestErrorsAreNamed(t *testing.T) {
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"empty history", second(History(nil)), ErrNoData},
		{"empty series", second(History(map[string][]float64{"loss": {}})), ErrNoData},
		{"metrics absent", second(History(sampleHistory(2), Metrics("top5"))), ErrNoData},
		{"compare names", second(Compare([]string{"a"}, nil)), ErrShape},
		{"compare none", second(Compare(nil, nil)), ErrNoData},
		{"grid empty", second(ImageGrid(nil, 0, 28, 28, 1)), ErrNoData},
		{"grid length", second(ImageGrid(make([]float32, 10), 1, 3, 3, 1)), ErrShape},
		{"grid channels", second(ImageGrid(make([]float32, 18), 1, 3, 3, 2)), ErrShape},
		{"grid NaN", second(ImageGrid([]float32{0, float32(math.NaN()), 0, 0}, 1, 2, 2, 1)), ErrNaN},
		{"grid labels", second(ImageGrid(make([]float32, 8), 2, 2, 2, 1, Labels([]int{1}))), ErrShape},
		{"uint8 length", second(ImageGridUint8(make([]uint8, 5), 1, 2, 2, 1)), ErrShape},
		{"maps empty", second(FeatureMaps(nil, 2, 2, 0)), ErrNoData},
		{"maps length", second(FeatureMaps(make([]float32, 7), 2, 2, 2)), ErrShape},
		{"maps Inf", second(FeatureMaps([]float32{float32(math.Inf(1)), 0, 0, 0}, 2, 2, 1)), ErrNaN},
		{"kernels length", second(Kernels(make([]float32, 8), 3, 3, 1, 1)), ErrShape},
		{"kernels empty", second(Kernels(nil, 3, 3, 1, 1)), ErrNoData},
		{"pred probs", second(PredictionGrid(make([]float32, 4), 1, 2, 2, 1, make([]float32, 9), 10)), ErrShape},
		{"pred NaN", second(PredictionGrid(make([]float32, 4), 1, 2, 2, 1, []float32{float32(math.NaN()), 1}, 2)), ErrNaN},
		{"pred label", second(PredictionGrid(make([]float32, 4), 1, 2, 2, 1, []float32{0, 1}, 2, Labels([]int{2}))), ErrRange},
		{"confusion empty", second(ConfusionMatrix(nil, nil, 10)), ErrNoData},
		{"confusion lengths", second(ConfusionMatrix([]int{1}, []int{1, 2}, 10)), ErrShape},
		{"confusion range", second(ConfusionMatrix([]int{1}, []int{10}, 10)), ErrRange},
	}
	for _, c := range cases {
		if !errors.Is(c.err, c.want) {
			t.Errorf("%s: error %v, want %v", c.name, c.err, c.want)
		} else if !strings.HasPrefix(c.err.Error(), "plots: ") {
			t.Errorf("%s: error %q lacks the plots: prefix", c.name, c.err)
		}
	}
}

func second(_ *Figure, err error) error { return err }

// The fast PNG encoder must round-trip every pixel of an opaque image exactly.
func TestEncodeOpaquePNG(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 37, 23))
	for i := range img.Pix {
		img.Pix[i] = byte(i*7 + i/5)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	var buf bytes.Buffer
	if err := encodeOpaquePNG(&buf, img); err != nil {
		t.Fatal(err)
	}
	dec, err := png.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if dec.Bounds() != img.Bounds() {
		t.Fatalf("bounds %v, want %v", dec.Bounds(), img.Bounds())
	}
	for y := range 23 {
		for x := range 37 {
			r1, g1, b1, _ := dec.At(x, y).RGBA()
			r2, g2, b2, _ := img.At(x, y).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				t.Fatalf("pixel (%d,%d) = %x %x %x, want %x %x %x", x, y, r1, g1, b1, r2, g2, b2)
			}
		}
	}
}

func TestSVGSizedInPixels(t *testing.T) {
	f, err := History(sampleHistory(3), Size(420, 210))
	if err != nil {
		t.Fatal(err)
	}
	svg := f.SVG()
	if !strings.HasPrefix(svg, "<?xml") || !strings.Contains(svg, `<svg width="420px" height="210px" viewBox="0 0 420 210"`) {
		t.Errorf("SVG header: %.300s", svg)
	}
}

// A cell that ignores a constructor's error shows a hint, not a panic.
func TestNilFigure(t *testing.T) {
	var f *Figure
	b := display.Render(f)
	if s, _ := b.Data[display.MIMEText].(string); !strings.Contains(s, "constructor returned an error") {
		t.Errorf("nil figure renders as %v", b.Data)
	}
	if f.PNG() != nil || f.SVG() != "" || f.String() == "" {
		t.Error("nil figure: PNG, SVG or String misbehave")
	}
	if w, h := f.Size(); w != 0 || h != 0 {
		t.Errorf("nil figure size %dx%d", w, h)
	}
	path := filepath.Join(t.TempDir(), "x.png")
	if err := f.Save(path); err == nil {
		t.Error("saving a nil figure succeeded")
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("saving a nil figure created a file")
	}
}

// Figures may be rendered from several goroutines (a live view and a cell at once); run
// with -race to check the locking.
func TestConcurrentRendering(t *testing.T) {
	f, err := History(sampleHistory(10))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if len(f.PNG()) == 0 || f.SVG() == "" {
				t.Error("empty rendering")
			}
		}()
	}
	wg.Wait()
}
