package dl

// How tensors show themselves in a notebook: a cell whose value is a *Tensor, or
// display.Show(t), shows an HTML table (with the numpy-like String as text/plain), and a
// uint8 image tensor shows as a PNG. Only the elements that String prints are rendered, so
// showing a 60000×28×28 tensor costs no more than printing it.

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"

	"godl.dev/godl/display"
)

const (
	// imageMinSide is the least height and width of a uint8 tensor that MIMEBundle shows
	// as an image: smaller ones are more likely numbers than pictures; so are those
	// longer than imageMaxAspect times their width (or the reverse), such as a batch of
	// flattened images.
	imageMinSide   = 8
	imageMaxAspect = 4
	// imageShowSide is the size MIMEBundle enlarges small images to (nearest neighbour,
	// whole multiples only), as matplotlib's imshow fills its axes; imageMaxSide is the
	// size larger ones are reduced to, so that a photo's PNG stays small.
	imageShowSide = 140
	imageMaxSide  = 1024
)

// MIMEBundle returns how the tensor shows itself in a notebook (display.MIMEBundler): a
// uint8 tensor of shape [H, W], [H, W, 1] or [H, W, 3], with H and W at least 8 and
// neither more than 4 times the other, as a PNG image (enlarged when smaller than 140
// pixels, reduced when larger than 1024), any other tensor as the HTML table of HTML;
// text/plain is String in both cases. For another image, such as a float32 one in
// [0, 1], show t.Image().
func (t *Tensor) MIMEBundle() display.Bundle {
	if t == nil {
		return display.Text("<nil>")
	}
	if h, w, c, ok := t.imageShape(); ok && t.dtype == Uint8 && min(h, w) >= imageMinSide && max(h, w) <= imageMaxAspect*min(h, w) {
		b := (&TensorImage{t.toImage(h, w, c)}).MIMEBundle()
		b.Data[display.MIMEText] = t.String()
		return b
	}
	return display.Bundle{Data: map[string]any{
		display.MIMEHTML: t.HTML(),
		display.MIMEText: t.String(),
	}}
}

// HTML returns the tensor as HTML: its shape and dtype, then its values as a table (a
// vector as one row, a matrix as rows and columns, a tensor of higher rank as one matrix
// per index of its leading axes, labelled [i, j, :, :]). As String does, a tensor of more
// than 1000 elements shows the first and last 3 items of each long axis around an
// ellipsis. A symbolic tensor (a shape with an unknown batch axis, no values) shows its
// shape only.
func (t *Tensor) HTML() string {
	if t == nil {
		return "<code>&lt;nil&gt;</code>"
	}
	var b strings.Builder
	b.WriteString(`<div class="godl-tensor">`)
	for _, d := range t.shape {
		if d < 0 { // a symbolic tensor of the functional API: a shape, no values
			fmt.Fprintf(&b, `<div style="color:#666">symbolic tensor, shape %s, %s</div></div>`, shapeText(t.shape), t.dtype)
			return b.String()
		}
	}
	fmt.Fprintf(&b, `<div style="color:#666;font-size:smaller">shape %s, %s</div>`, shapeText(t.shape), t.dtype)
	summarize := t.Size() > printThreshold
	var shown []int
	collectShown(t.shape, 0, 0, summarize, &shown)
	f := newNumFormat(t, shown)
	cell := func(i int) string { return strings.TrimSpace(f.format(t.at(i))) }
	if len(t.shape) == 0 {
		if len(shown) == 1 {
			fmt.Fprintf(&b, "<code>%s</code>", cell(0))
		}
		b.WriteString("</div>")
		return b.String()
	}
	rank := len(t.shape)
	rows, cols := 1, t.shape[rank-1]
	if rank >= 2 {
		rows = t.shape[rank-2]
	}
	matrix := rows * cols
	// Walk the leading axes (all but the last two) over the items String shows.
	lead := t.shape[:max(rank-2, 0)]
	var walk func(d, off int, idx []string)
	walk = func(d, off int, idx []string) {
		if d == len(lead) {
			if len(lead) > 0 {
				label := strings.Join(idx, ", ") + ", :"
				if rank >= 2 {
					label += ", :"
				}
				fmt.Fprintf(&b, `<div style="font-family:monospace;margin-top:4px">[%s]</div>`, label)
			}
			writeMatrix(&b, off, rows, cols, rank >= 2, summarize, cell)
			return
		}
		stride := matrix
		for _, s := range lead[d+1:] {
			stride *= s
		}
		for _, i := range axisItems(lead[d], summarize) {
			if i < 0 {
				b.WriteString(`<div style="font-family:monospace">…</div>`)
				continue
			}
			walk(d+1, off+i*stride, append(idx, strconv.Itoa(i)))
		}
	}
	walk(0, 0, nil)
	b.WriteString("</div>")
	return b.String()
}

// writeMatrix writes the rows×cols block at flat offset off as a table with row and
// column numbers (a vector, !indexRows, as one row without a row number).
func writeMatrix(b *strings.Builder, off, rows, cols int, indexRows, summarize bool, cell func(int) string) {
	const th = `<th style="color:#888;font-weight:normal">` // cells are right-aligned by Jupyter's style
	colItems := axisItems(cols, summarize)
	b.WriteString(`<table style="font-family:monospace;border-collapse:collapse"><thead><tr>`)
	if indexRows {
		b.WriteString("<th></th>")
	}
	for _, j := range colItems {
		if j < 0 {
			b.WriteString(th + "…</th>")
		} else {
			b.WriteString(th + strconv.Itoa(j) + "</th>")
		}
	}
	b.WriteString("</tr></thead><tbody>")
	rowItems := []int{0}
	if indexRows {
		rowItems = axisItems(rows, summarize)
	}
	for _, i := range rowItems {
		b.WriteString("<tr>")
		if indexRows {
			if i < 0 {
				b.WriteString(th + "…</th>")
			} else {
				b.WriteString(th + strconv.Itoa(i) + "</th>")
			}
		}
		for _, j := range colItems {
			b.WriteString("<td>")
			if i < 0 || j < 0 {
				b.WriteString("…")
			} else {
				b.WriteString(cell(off + i*cols + j))
			}
			b.WriteString("</td>")
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</tbody></table>")
}

// shapeText formats a shape as Keras does, (2, 3), with -1 as None.
func shapeText(shape []int) string {
	parts := make([]string, len(shape))
	for i, d := range shape {
		if d < 0 {
			parts[i] = "None"
		} else {
			parts[i] = strconv.Itoa(d)
		}
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// TensorImage is a tensor's pixels as an image.Image (gray or RGBA), made by
// Tensor.Image. In a notebook it shows as a PNG, enlarged when small.
type TensorImage struct {
	image.Image
}

// MIMEBundle returns the image as a PNG, enlarged by a whole factor (nearest neighbour)
// to about 140 pixels when smaller, or reduced by a whole factor to at most 1024 pixels
// per side when larger.
func (m *TensorImage) MIMEBundle() display.Bundle {
	r := m.Bounds()
	side := max(r.Dx(), r.Dy())
	img := m.Image
	switch {
	case side > imageMaxSide:
		img = rescale(img, 1, (side+imageMaxSide-1)/imageMaxSide)
	case side > 0 && side < imageShowSide:
		img = rescale(img, min(imageShowSide/side, 16), 1)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return display.Text("dl: cannot encode the image as PNG: " + err.Error())
	}
	return display.Bundle{Data: map[string]any{
		display.MIMEPNG:  base64.StdEncoding.EncodeToString(buf.Bytes()),
		display.MIMEText: fmt.Sprintf("<image %dx%d>", r.Dx(), r.Dy()),
	}}
}

// rescale returns img enlarged up times, or reduced taking every down-th pixel.
func rescale(img image.Image, up, down int) image.Image {
	r := img.Bounds()
	w, h := r.Dx()*up/down, r.Dy()*up/down
	at := func(x, y int) (int, int) { return r.Min.X + x*down/up, r.Min.Y + y*down/up }
	if g, ok := img.(*image.Gray); ok {
		out := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				sx, sy := at(x, y)
				out.Pix[y*out.Stride+x] = g.GrayAt(sx, sy).Y
			}
		}
		return out
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			sx, sy := at(x, y)
			out.Set(x, y, img.At(sx, sy))
		}
	}
	return out
}

// Image returns the tensor's pixels as an image, to show in a notebook (a cell whose value
// is t.Image(), or display.Show(t.Image())) or to encode: a tensor of shape [H, W] or
// [H, W, 1] gives a gray image, [H, W, 3] an RGB one. uint8 and int32 values are the
// pixel values (clipped to 0..255); float32 values are read as [0, 1], as matplotlib's
// imshow reads floats, and clipped. It panics for other shapes.
func (t *Tensor) Image() *TensorImage {
	h, w, c, ok := t.imageShape()
	if !ok {
		panicf("Image", [][]int{t.shape}, "an image is [height, width], [height, width, 1] or [height, width, 3]; for a batch, take one image with Index(i)")
	}
	return &TensorImage{t.toImage(h, w, c)}
}

// imageShape returns the height, width and channels of a tensor shaped as one image.
func (t *Tensor) imageShape() (h, w, c int, ok bool) {
	switch {
	case len(t.shape) == 2:
		return t.shape[0], t.shape[1], 1, t.shape[0] > 0 && t.shape[1] > 0
	case len(t.shape) == 3 && (t.shape[2] == 1 || t.shape[2] == 3):
		return t.shape[0], t.shape[1], t.shape[2], t.shape[0] > 0 && t.shape[1] > 0
	}
	return 0, 0, 0, false
}

// toImage converts a tensor of image shape (h, w, c) to a Gray (c = 1) or RGBA image.
func (t *Tensor) toImage(h, w, c int) image.Image {
	pixel := func(i int) uint8 {
		if t.dtype == Uint8 {
			return t.u8[i]
		}
		v := t.at(i)
		if t.dtype == Float32 {
			v = v*255 + 0.5 // round to the nearest level
		}
		if v != v {
			return 0
		}
		return uint8(min(max(v, 0), 255))
	}
	if c == 1 {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i := range img.Pix {
			img.Pix[i] = pixel(i)
		}
		return img
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for p := range h * w {
		img.SetRGBA(p%w, p/w, color.RGBA{pixel(3 * p), pixel(3*p + 1), pixel(3*p + 2), 255})
	}
	return img
}
