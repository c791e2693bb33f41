package dl_test

import (
	"bytes"
	"encoding/base64"
	"image"
	"image/color"
	"image/png"
	"regexp"
	"strings"
	"testing"

	"godl.dev/godl/display"
	"godl.dev/godl/dl"
)

// cells returns the texts of the <td> cells of html, in order.
func cells(html string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<td[^>]*>([^<]*)</td>`).FindAllStringSubmatch(html, -1) {
		out = append(out, m[1])
	}
	return out
}

func decodePNG(t *testing.T, b display.Bundle) image.Image {
	t.Helper()
	s, ok := b.Data[display.MIMEPNG].(string)
	if !ok {
		t.Fatalf("bundle has no image/png: MIME types %v", keysOf(b.Data))
	}
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("image/png does not decode: %v", err)
	}
	return img
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return ks
}

func TestTensorShowsAsHTMLTable(t *testing.T) {
	for _, tc := range []struct {
		desc    string
		t       *dl.Tensor
		caption string
		cells   string // the <td> texts joined by spaces
		rows    int    // <tr> elements, header rows included
		labels  []string
	}{
		{"matrix", dl.FromFloat32([]float32{1, 2.5, -3, 4, 5, 6}, 2, 3), "shape (2, 3), float32", "1. 2.5 -3. 4. 5. 6.", 3, nil},
		{"vector", dl.FromInts([]int{7, 8, 9}), "shape (3,), int32", "7 8 9", 2, nil},
		{"scalar", dl.Scalar(0.5), "shape (), float32", "", 0, nil},
		{"rank 3", dl.FromInts([]int{1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2), "shape (2, 2, 2), int32", "1 2 3 4 5 6 7 8", 6, []string{"[0, :, :]", "[1, :, :]"}},
		{"small uint8 is a table", dl.FromUint8([]uint8{1, 2, 3, 4}, 2, 2), "shape (2, 2), uint8", "1 2 3 4", 3, nil},
	} {
		b := display.Render(tc.t)
		if got := b.Data[display.MIMEText]; got != tc.t.String() {
			t.Errorf("%s: text/plain %q, want String() %q", tc.desc, got, tc.t.String())
		}
		html, _ := b.Data[display.MIMEHTML].(string)
		if !strings.Contains(html, ">"+tc.caption+"<") {
			t.Errorf("%s: HTML lacks the caption %q:\n%s", tc.desc, tc.caption, html)
		}
		if got := strings.Join(cells(html), " "); got != tc.cells {
			t.Errorf("%s: cells %q, want %q", tc.desc, got, tc.cells)
		}
		if got := strings.Count(html, "<tr>"); got != tc.rows {
			t.Errorf("%s: %d rows, want %d:\n%s", tc.desc, got, tc.rows, html)
		}
		for _, l := range tc.labels {
			if !strings.Contains(html, l) {
				t.Errorf("%s: HTML lacks the label %s", tc.desc, l)
			}
		}
		if _, ok := b.Data[display.MIMEPNG]; ok {
			t.Errorf("%s: shown as an image", tc.desc)
		}
	}
	if got := dl.Scalar(0.5).HTML(); !strings.Contains(got, "<code>0.5</code>") {
		t.Errorf("scalar HTML %q", got)
	}
}

// TestBigTensorShowsCheaply shows MNIST's shape: only the elements String prints are
// rendered, the first and last 3 of each axis.
func TestBigTensorShowsCheaply(t *testing.T) {
	data := make([]uint8, 60000*28*28)
	data[len(data)-1] = 255
	x := dl.FromUint8(data, 60000, 28, 28)
	b := display.Render(x)
	html := b.Data[display.MIMEHTML].(string)
	cs := cells(html)
	// 6 matrices of 7×7 cells (3 + "…" + 3 each way).
	if len(cs) != 6*7*7 {
		t.Errorf("%d cells, want %d", len(cs), 6*7*7)
	}
	if cs[len(cs)-1] != "255" || !strings.Contains(html, "[59999, :, :]") || !strings.Contains(html, "…") {
		t.Errorf("the last matrix is not [59999, :, :] ending in 255, or no ellipsis")
	}
	if len(html) > 40000 {
		t.Errorf("HTML of %d bytes", len(html))
	}
}

func TestImageTensorShowsAsPNG(t *testing.T) {
	gray := make([]uint8, 28*28)
	for i := range gray {
		gray[i] = uint8(i % 251)
	}
	rgb := make([]uint8, 10*20*3)
	for i := range rgb {
		rgb[i] = uint8(i)
	}
	for _, tc := range []struct {
		desc  string
		t     *dl.Tensor
		w, h  int // of the PNG
		scale int
		pixel func(x, y int) color.Color // of the tensor
	}{
		{"[H, W]", dl.FromUint8(gray, 28, 28), 140, 140, 5, func(x, y int) color.Color { return color.Gray{gray[28*y+x]} }},
		{"[H, W, 1]", dl.FromUint8(gray, 28, 28, 1), 140, 140, 5, func(x, y int) color.Color { return color.Gray{gray[28*y+x]} }},
		{"[H, W, 3]", dl.FromUint8(rgb, 10, 20, 3), 140, 70, 7, func(x, y int) color.Color {
			p := 3 * (20*y + x)
			return color.RGBA{rgb[p], rgb[p+1], rgb[p+2], 255}
		}},
	} {
		b := display.Render(tc.t)
		if b.Data[display.MIMEText] != tc.t.String() {
			t.Errorf("%s: text/plain is not String()", tc.desc)
		}
		if _, ok := b.Data[display.MIMEHTML]; ok {
			t.Errorf("%s: an image also has HTML, which front ends would prefer", tc.desc)
		}
		img := decodePNG(t, b)
		if r := img.Bounds(); r.Dx() != tc.w || r.Dy() != tc.h {
			t.Fatalf("%s: PNG is %dx%d, want %dx%d", tc.desc, r.Dx(), r.Dy(), tc.w, tc.h)
		}
		for _, p := range [][2]int{{0, 0}, {3, 2}, {tc.w/tc.scale - 1, tc.h/tc.scale - 1}} {
			r1, g1, b1, _ := img.At(p[0]*tc.scale+tc.scale-1, p[1]*tc.scale).RGBA()
			r2, g2, b2, _ := tc.pixel(p[0], p[1]).RGBA()
			if r1 != r2 || g1 != g2 || b1 != b2 {
				t.Errorf("%s: pixel %v is %v %v %v, want %v %v %v", tc.desc, p, r1>>8, g1>>8, b1>>8, r2>>8, g2>>8, b2>>8)
			}
		}
	}
	// A photo-sized image is reduced to at most 1024 pixels a side.
	big := display.Render(dl.FromUint8(make([]uint8, 2048*1536*3), 2048, 1536, 3))
	if r := decodePNG(t, big).Bounds(); r.Dx() != 768 || r.Dy() != 1024 {
		t.Errorf("2048×1536 image shown as %dx%d, want 768x1024", r.Dx(), r.Dy())
	}
	// A batch of flattened images is a table, not a strip.
	if b := display.Render(dl.FromUint8(make([]uint8, 32*784), 32, 784)); b.Data[display.MIMEHTML] == nil {
		t.Errorf("a [32 784] uint8 tensor is not shown as a table: %v", keysOf(b.Data))
	}
	if b := display.Render(dl.FromUint8(make([]uint8, 100*784), 784, 100)); b.Data[display.MIMEPNG] != nil {
		t.Error("a [784 100] uint8 tensor is shown as an image")
	}
	if b := display.Render(dl.FromUint8(make([]uint8, 100*300), 100, 300)); b.Data[display.MIMEPNG] == nil {
		t.Error("a 100×300 uint8 image is not shown as one")
	}
}

func TestFloatImage(t *testing.T) {
	x := dl.FromFloat32([]float32{0, 0.5, 1, 2, -1, 0.25, 0.75, 1, 0.1}, 3, 3)
	if _, ok := display.Render(x).Data[display.MIMEHTML]; !ok {
		t.Error("a float tensor shows as a table unless Image is called")
	}
	img := x.Image()
	b := display.Render(img)
	if b.Data[display.MIMEText] != "<image 3x3>" {
		t.Errorf("text/plain %q", b.Data[display.MIMEText])
	}
	if r := decodePNG(t, b).Bounds(); r.Dx() != 48 {
		t.Errorf("3×3 image shown %d wide, want 48 (16×, the largest factor)", r.Dx())
	}
	want := []uint8{0, 128, 255, 255, 0, 64, 191, 255, 26}
	g := img.Image.(*image.Gray)
	if !bytes.Equal(g.Pix, want) {
		t.Errorf("pixels %v, want %v", g.Pix, want)
	}
	// A scaled view of uint8 bytes reads as its float values.
	u := dl.FromUint8([]uint8{0, 51, 255, 102}, 2, 2).DivScalar(255)
	if got := u.Image().Image.(*image.Gray).Pix; !bytes.Equal(got, []uint8{0, 51, 255, 102}) {
		t.Errorf("uint8/255 image pixels %v", got)
	}
	if err := dl.Maybe(func() { dl.Zeros(2, 3, 4).Image() }); err == nil || !strings.Contains(err.Error(), "Index(i)") {
		t.Errorf("Image of [2 3 4]: %v", err)
	}
}

func TestSymbolicTensorShowsItsShape(t *testing.T) {
	for _, x := range []*dl.Tensor{dl.Input(28, 28, 1), dl.Input(10).Reshape(-1, 2, 5)} {
		html := x.HTML()
		if !strings.Contains(html, "symbolic tensor, shape (None, ") || strings.Contains(html, "<table") {
			t.Errorf("symbolic tensor HTML %s", html)
		}
	}
}
