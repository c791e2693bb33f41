package plots

import (
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"math"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// ImageGrid draws n images from a float32 pixel buffer laid out (n, h, w, c) in row-major
// order, with c = 1 (grey) or 3 (RGB) and values in [0, 1] (values outside are clipped).
// Each image is drawn with square pixels, without smoothing.
//
// Titles: with Labels, each image is titled with its label's class name; with Predictions,
// with its predicted class; with both, a right prediction is titled in black and a wrong one
// in red as "predicted (true)".
//
// Options: Size (default 96 logical pixels per image column, or the image's own width
// between 200 and 600 for a single image; large grids get smaller tiles so that the figure
// stays within 1600x2400), Title, Columns (default ceil(sqrt(n))), Labels, Predictions,
// ClassNames.
//
// It returns ErrNoData for n = 0, ErrShape when len(pix) != n*h*w*c, c is not 1 or 3, or a
// label slice is shorter than n, and ErrNaN for a NaN or infinite pixel.
func ImageGrid(pix []float32, n, h, w, c int, opts ...Option) (*Figure, error) {
	if err := checkDims("pix", len(pix), n, h, w, c); err != nil {
		return nil, err
	}
	if i := firstBadFloat(pix); i >= 0 {
		return nil, fmt.Errorf("%w: pixel %d of image %d is %v; images must hold finite values in [0, 1]", ErrNaN, i%(h*w*c), i/(h*w*c), pix[i])
	}
	imgs := make([]image.Image, n)
	for i := range imgs {
		imgs[i] = floatImage(pix[i*h*w*c:(i+1)*h*w*c], h, w, c, 0, 1)
	}
	return labelledGrid(imgs, h, w, opts)
}

// Image draws one image as matplotlib's imshow does: pix is laid out (h, w, c) row-major;
// a grey image (c = 1) is scaled from its minimum (black) to its maximum (white), so a
// convolution output of any range shows its structure, and an RGB image (c = 3) is read in
// [0, 1], clipped. It is drawn with square pixels at its own size, kept between 200 and
// 600 logical pixels wide.
//
// Options: Size, Title.
//
// It returns ErrNoData for an empty image, ErrShape when len(pix) != h*w*c or c is not 1
// or 3, and ErrNaN for a NaN or infinite value.
func Image(pix []float32, h, w, c int, opts ...Option) (*Figure, error) {
	if err := checkDims("pix", len(pix), 1, h, w, c); err != nil {
		return nil, err
	}
	if i := firstBadFloat(pix); i >= 0 {
		return nil, fmt.Errorf("%w: pixel %d is %v", ErrNaN, i, pix[i])
	}
	lo, hi := float32(0), float32(1)
	if c == 1 {
		lo, hi = float32(math.Inf(1)), float32(math.Inf(-1))
		for _, v := range pix {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	o := buildOptions(opts, 0, 0)
	return tileFigure(o, []tile{{img: floatImage(pix, h, w, c, lo, hi)}}, h, w, 1), nil
}

// ImageGridUint8 is ImageGrid for uint8 pixels in [0, 255], as data sets store them.
func ImageGridUint8(pix []uint8, n, h, w, c int, opts ...Option) (*Figure, error) {
	if err := checkDims("pix", len(pix), n, h, w, c); err != nil {
		return nil, err
	}
	imgs := make([]image.Image, n)
	for i := range imgs {
		imgs[i] = byteImage(pix[i*h*w*c:(i+1)*h*w*c], h, w, c)
	}
	return labelledGrid(imgs, h, w, opts)
}

// FeatureMaps draws the c channels of one activation of shape (h, w, c), row-major, as a
// grid of grey images titled with the channel index, each scaled from its own minimum
// (black) to its maximum (white), as matplotlib's imshow does; a constant channel is black.
// With c = 1 it is imshow of an arbitrary-valued grey image, such as a convolution output.
//
// Options: Size, Title, Columns (default ceil(sqrt(c))).
//
// It returns ErrNoData for c = 0, ErrShape when len(act) != h*w*c, and ErrNaN for a NaN or
// infinite value.
func FeatureMaps(act []float32, h, w, c int, opts ...Option) (*Figure, error) {
	if size, ok := product(h, w, c); !ok || len(act) != size {
		if len(act) == 0 || c == 0 {
			return nil, fmt.Errorf("%w: no feature maps (len(act) = %d, c = %d)", ErrNoData, len(act), c)
		}
		return nil, fmt.Errorf("%w: len(act) = %d, want h*w*c = %d*%d*%d", ErrShape, len(act), h, w, c)
	}
	if i := firstBadFloat(act); i >= 0 {
		return nil, fmt.Errorf("%w: act[%d] is %v", ErrNaN, i, act[i])
	}
	tiles := make([]tile, c)
	plane := make([]float32, h*w)
	for ch := range c {
		lo, hi := float32(math.Inf(1)), float32(math.Inf(-1))
		for p := range h * w {
			v := act[p*c+ch]
			plane[p] = v
			lo, hi = min(lo, v), max(hi, v)
		}
		tiles[ch] = tile{img: floatImage(plane, h, w, 1, lo, hi)}
		if c > 1 {
			tiles[ch].title = fmt.Sprint(ch)
		}
	}
	o := buildOptions(opts, 0, 0)
	return tileFigure(o, tiles, h, w, len(tiles)), nil
}

// Kernels draws convolution kernels stored as Keras stores them, (kh, kw, cin, cout)
// row-major, one tile per (input channel, filter) pair: cout tiles per row and one row per
// input channel (or a square grid when cin = 1). Each tile uses a diverging scale centred on
// zero, blue negative and red positive, scaled by the largest magnitude in all the kernels
// so that tiles compare; tiles are titled with the filter index (and "in,out" when cin > 1).
//
// Options: Size, Title, Columns.
//
// It returns ErrNoData for an empty kernel, ErrShape when len(k) != kh*kw*cin*cout, and
// ErrNaN for a NaN or infinite weight.
func Kernels(k []float32, kh, kw, cin, cout int, opts ...Option) (*Figure, error) {
	if len(k) == 0 {
		return nil, fmt.Errorf("%w: no kernel weights", ErrNoData)
	}
	if size, ok := product(kh, kw, cin, cout); !ok || len(k) != size {
		return nil, fmt.Errorf("%w: len(k) = %d, want kh*kw*cin*cout = %d*%d*%d*%d", ErrShape, len(k), kh, kw, cin, cout)
	}
	if i := firstBadFloat(k); i >= 0 {
		return nil, fmt.Errorf("%w: k[%d] is %v", ErrNaN, i, k[i])
	}
	var scale float32
	for _, v := range k {
		scale = max(scale, float32(math.Abs(float64(v))))
	}
	tiles := make([]tile, 0, cin*cout)
	for ci := range cin {
		for co := range cout {
			img := image.NewRGBA(image.Rect(0, 0, kw, kh))
			for y := range kh {
				for x := range kw {
					v := k[((y*kw+x)*cin+ci)*cout+co]
					img.SetRGBA(x, y, diverging(v, scale))
				}
			}
			t := tile{img: img, title: fmt.Sprint(co)}
			if cin > 1 {
				t.title = fmt.Sprintf("%d,%d", ci, co)
			}
			tiles = append(tiles, t)
		}
	}
	o := buildOptions(opts, 0, 0)
	if o.columns <= 0 && cin > 1 {
		o.columns = cout
	}
	return tileFigure(o, tiles, kh, kw, len(tiles)), nil
}

// labelledGrid titles images from the Labels and Predictions options and lays them out.
func labelledGrid(imgs []image.Image, h, w int, opts []Option) (*Figure, error) {
	o := buildOptions(opts, 0, 0)
	n := len(imgs)
	if o.labels != nil && len(o.labels) < n {
		return nil, fmt.Errorf("%w: %d labels for %d images", ErrShape, len(o.labels), n)
	}
	if o.predictions != nil && len(o.predictions) < n {
		return nil, fmt.Errorf("%w: %d predictions for %d images", ErrShape, len(o.predictions), n)
	}
	tiles := make([]tile, n)
	for i, img := range imgs {
		t := tile{img: img}
		switch {
		case o.labels != nil && o.predictions != nil:
			p, l := o.predictions[i], o.labels[i]
			t.title = o.className(p)
			if p != l {
				t.title = fmt.Sprintf("%s (%s)", o.className(p), o.className(l))
				t.color = colorWrong
			}
		case o.predictions != nil:
			t.title = o.className(o.predictions[i])
		case o.labels != nil:
			t.title = o.className(o.labels[i])
		}
		tiles[i] = t
	}
	return tileFigure(o, tiles, h, w, 1), nil
}

// tile is one image of a grid with its title.
type tile struct {
	img   image.Image
	title string
	color color.Color // of the title; nil is black
}

// tileFigure lays tiles of h x w pixels out in a grid, each below its title.
func tileFigure(o options, tiles []tile, h, w, panels int) *Figure {
	n := len(tiles)
	cols := o.columns
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(n))))
	}
	cols = min(cols, n)
	rows := (n + cols - 1) / cols
	hasTitles := false
	for _, t := range tiles {
		hasTitles = hasTitles || t.title != ""
	}
	const titleFont = 10
	titleH := 0
	if hasTitles {
		titleH = titleFont + 6
	}
	titleTop := 0
	if o.title != "" {
		titleTop = 26
	}
	if o.width == 0 {
		cell := 96
		if n == 1 {
			cell = min(max(w, 200), 600)
		}
		// Large grids get smaller tiles, to stay within maxDefaultWidth x maxDefaultHeight.
		cell = min(cell, max(16, maxDefaultWidth/cols))
		if rowH := cell*h/w + titleH; rows*rowH > maxDefaultHeight {
			cell = max(16, (maxDefaultHeight/rows-titleH)*w/max(h, 1))
		}
		o.width = cols * cell
		o.height = rows*(max(cell*h/w, 1)+titleH) + titleTop
	}
	return &Figure{width: o.width, height: o.height, panels: panels, draw: func(c draw.Canvas) {
		c = withTitle(c, o.title)
		const pad = 4
		cellW := (c.Max.X - c.Min.X) / vg.Length(cols)
		cellH := (c.Max.Y - c.Min.Y) / vg.Length(rows)
		sty := textStyle(titleFont, color.Black, draw.XCenter, draw.YTop)
		for i, t := range tiles {
			r, col := i/cols, i%cols
			x0 := c.Min.X + vg.Length(col)*cellW
			y1 := c.Max.Y - vg.Length(r)*cellH
			if t.title != "" {
				s := sty
				if t.color != nil {
					s.Color = t.color
				}
				maxChars := int(cellW/(titleFont*0.55)) + 1
				c.FillText(s, vg.Point{X: x0 + cellW/2, Y: y1 - 2}, truncate(t.title, max(maxChars, 4)))
			}
			box := vg.Rectangle{
				Min: vg.Point{X: x0 + pad, Y: y1 - cellH + pad},
				Max: vg.Point{X: x0 + cellW - pad, Y: y1 - vg.Length(titleH) - pad},
			}
			drawPixels(c, box, t.img)
		}
	}}
}

// drawPixels draws img centred in box at the largest size that keeps its aspect ratio,
// enlarged by whole-pixel replication so that no renderer smooths it.
func drawPixels(c draw.Canvas, box vg.Rectangle, img image.Image) {
	b := img.Bounds()
	bw, bh := box.Max.X-box.Min.X, box.Max.Y-box.Min.Y
	if bw <= 0 || bh <= 0 {
		return
	}
	s := min(bw/vg.Length(b.Dx()), bh/vg.Length(b.Dy()))
	dw, dh := s*vg.Length(b.Dx()), s*vg.Length(b.Dy())
	x0 := box.Min.X + (bw-dw)/2
	y0 := box.Min.Y + (bh-dh)/2
	rect := vg.Rectangle{Min: vg.Point{X: x0, Y: y0}, Max: vg.Point{X: x0 + dw, Y: y0 + dh}}
	if blit(c, rect, img) {
		return
	}
	// Vector output: replicate pixels up to about the device resolution of the PNG form,
	// capped so that a large image is not enlarged at all, so that no viewer smooths it.
	factor := int(math.Ceil(float64(s) * PNGScale))
	factor = min(factor, max(1, 1024/max(b.Dx(), b.Dy())))
	c.DrawImage(rect, enlarge(img, factor))
}

// blit copies img with nearest-neighbour scaling straight into the pixels of a raster
// canvas, which is many times faster than the canvas's own DrawImage (a general affine
// transform with interpolation). It reports false for other canvases. It assumes the
// canvas has no transform in effect, as the figures here draw tiles at top level.
func blit(c draw.Canvas, rect vg.Rectangle, img image.Image) bool {
	rc, ok := c.Canvas.(*vgimg.Canvas)
	if !ok {
		return false
	}
	dst, ok := rc.Image().(*image.RGBA)
	if !ok {
		return false
	}
	dpi := rc.DPI()
	_, hPt := rc.Size()
	dev := func(p vg.Point) (int, int) {
		return int(math.Round(p.X.Dots(dpi))), int(math.Round((hPt - p.Y).Dots(dpi)))
	}
	x0, y1 := dev(rect.Min)
	x1, y0 := dev(rect.Max)
	b := img.Bounds()
	dw, dh := x1-x0, y1-y0
	if dw <= 0 || dh <= 0 {
		return true
	}
	src := toRGBA(img)
	clip := dst.Bounds()
	for y := max(y0, clip.Min.Y); y < min(y1, clip.Max.Y); y++ {
		sy := (y - y0) * b.Dy() / dh
		srow := src.Pix[sy*src.Stride:]
		drow := dst.Pix[(y-clip.Min.Y)*dst.Stride:]
		for x := max(x0, clip.Min.X); x < min(x1, clip.Max.X); x++ {
			sx := (x - x0) * b.Dx() / dw
			copy(drow[(x-clip.Min.X)*4:(x-clip.Min.X)*4+4], srow[sx*4:sx*4+4])
		}
	}
	return true
}

// toRGBA returns img as an *image.RGBA with origin (0, 0), converting when needed.
func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok && r.Bounds().Min == (image.Point{}) {
		return r
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	if g, ok := img.(*image.Gray); ok && b.Min == (image.Point{}) {
		for i, v := range g.Pix[:b.Dx()*b.Dy()] {
			out.Pix[4*i], out.Pix[4*i+1], out.Pix[4*i+2], out.Pix[4*i+3] = v, v, v, 255
		}
		return out
	}
	stddraw.Draw(out, out.Bounds(), img, b.Min, stddraw.Src)
	return out
}

// enlarge replicates each pixel of img into a factor x factor block.
func enlarge(img image.Image, factor int) image.Image {
	if factor <= 1 {
		return img
	}
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx()*factor, b.Dy()*factor))
	for y := range b.Dy() {
		for x := range b.Dx() {
			r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			px := color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(a >> 8)}
			for dy := range factor {
				row := out.Pix[(y*factor+dy)*out.Stride:]
				for dx := range factor {
					o := (x*factor + dx) * 4
					row[o], row[o+1], row[o+2], row[o+3] = px.R, px.G, px.B, px.A
				}
			}
		}
	}
	return out
}

// floatImage converts one (h, w, c) image to grey or RGB, mapping lo to black and hi to
// white and clipping outside; lo >= hi gives black.
func floatImage(pix []float32, h, w, c int, lo, hi float32) image.Image {
	scale := float32(0)
	if hi > lo {
		scale = 255 / (hi - lo)
	}
	conv := func(v float32) uint8 {
		return uint8(min(max((v-lo)*scale+0.5, 0), 255))
	}
	if c == 1 {
		img := image.NewGray(image.Rect(0, 0, w, h))
		for i, v := range pix {
			img.Pix[i] = conv(v)
		}
		return img
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for p := range h * w {
		img.Pix[4*p], img.Pix[4*p+1], img.Pix[4*p+2], img.Pix[4*p+3] =
			conv(pix[3*p]), conv(pix[3*p+1]), conv(pix[3*p+2]), 255
	}
	return img
}

// byteImage wraps one (h, w, c) uint8 image.
func byteImage(pix []uint8, h, w, c int) image.Image {
	if c == 1 {
		img := image.NewGray(image.Rect(0, 0, w, h))
		copy(img.Pix, pix)
		return img
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for p := range h * w {
		img.Pix[4*p], img.Pix[4*p+1], img.Pix[4*p+2], img.Pix[4*p+3] = pix[3*p], pix[3*p+1], pix[3*p+2], 255
	}
	return img
}

// diverging maps v in [-scale, scale] to blue (negative), white (zero) and red (positive).
func diverging(v, scale float32) color.RGBA {
	t := float32(0)
	if scale > 0 {
		t = min(max(v/scale, -1), 1)
	}
	blue, red := rgb(0x2166ac), rgb(0xb2182b)
	end := red
	if t < 0 {
		end, t = blue, -t
	}
	mix := func(a uint8) uint8 { return uint8(255 + (float32(a)-255)*t + 0.5) }
	return color.RGBA{mix(end.R), mix(end.G), mix(end.B), 255}
}

// checkDims checks an image buffer's length against (n, h, w, c).
func checkDims(name string, length, n, h, w, c int) error {
	if n == 0 || length == 0 {
		return fmt.Errorf("%w: %s holds no images (n = %d, len = %d)", ErrNoData, name, n, length)
	}
	if n < 0 || h <= 0 || w <= 0 || (c != 1 && c != 3) {
		return fmt.Errorf("%w: %s dimensions (n, h, w, c) = (%d, %d, %d, %d); n, h, w must be positive and c 1 (grey) or 3 (RGB)", ErrShape, name, n, h, w, c)
	}
	if size, ok := product(n, h, w, c); !ok || length != size {
		return fmt.Errorf("%w: len(%s) = %d, want n*h*w*c = %d*%d*%d*%d", ErrShape, name, length, n, h, w, c)
	}
	return nil
}

// product returns the product of positive dimensions; ok is false when one is not positive
// or the product overflows an int.
func product(dims ...int) (p int, ok bool) {
	p = 1
	for _, d := range dims {
		if d <= 0 || p > math.MaxInt/d {
			return 0, false
		}
		p *= d
	}
	return p, true
}

// firstBadFloat returns the index of the first NaN or infinite value, or -1.
func firstBadFloat(v []float32) int {
	for i, x := range v {
		if x != x || x > math.MaxFloat32 || x < -math.MaxFloat32 {
			return i
		}
	}
	return -1
}
