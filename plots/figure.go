package plots

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"godl.dev/godl/display"
)

// Errors returned by the constructors; test for them with errors.Is. The returned errors
// wrap them with the name of the offending argument.
var (
	// ErrNoData means there is nothing to draw: an empty history, a series of length zero,
	// zero images.
	ErrNoData = errors.New("plots: no data")
	// ErrShape means a buffer's length does not match its declared dimensions, or a
	// dimension or label slice is inconsistent.
	ErrShape = errors.New("plots: shape mismatch")
	// ErrNaN means a pixel, probability or kernel value is NaN or infinite where a finite
	// value is needed. (History curves accept NaN: see the package documentation.)
	ErrNaN = errors.New("plots: NaN or infinite value")
	// ErrRange means an index (a label, a prediction, a class) is outside its valid range.
	ErrRange = errors.New("plots: value out of range")
)

// PNGScale is the pixel density of PNG renderings: PNG() and Save(".png") write
// PNGScale x PNGScale device pixels per logical pixel.
const PNGScale = 2

// Figure is a finished chart of a fixed logical size. Render it as often as needed; it is
// safe for concurrent use (renderings are serialized).
type Figure struct {
	width, height int // logical pixels (points)
	panels        int // axes drawn, for the text form
	draw          func(c draw.Canvas)
	mu            sync.Mutex // gonum/plot's plots are not safe to draw concurrently
}

// render draws the figure onto c.
func (f *Figure) render(c draw.Canvas) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.draw(c)
}

// Size returns the logical width and height of the figure in pixels (0, 0 for a nil
// figure).
func (f *Figure) Size() (width, height int) {
	if f == nil {
		return 0, 0
	}
	return f.width, f.height
}

// nilFigure is the text form of a nil *Figure: what a cell shows when it ignored a
// constructor's error.
const nilFigure = "<nil plots.Figure: its constructor returned an error; print the error>"

// String describes the figure the way matplotlib's text form does, e.g.
// "<Figure size 800x300 with 2 Axes>".
func (f *Figure) String() string {
	if f == nil {
		return nilFigure
	}
	return fmt.Sprintf("<Figure size %dx%d with %d Axes>", f.width, f.height, f.panels)
}

// Image renders the figure to an RGBA image with scale device pixels per logical pixel
// (1 for the logical size, PNGScale for the PNG form); scale below 1 counts as 1. A nil
// figure gives an empty image.
func (f *Figure) Image(scale int) image.Image {
	if f == nil {
		return image.NewRGBA(image.Rectangle{})
	}
	if scale < 1 {
		scale = 1
	}
	c := vgimg.NewWith(vgimg.UseWH(vg.Length(f.width), vg.Length(f.height)), vgimg.UseDPI(72*scale))
	f.render(draw.New(c))
	return c.Image()
}

// PNG returns the figure encoded as PNG at PNGScale times its logical size (nil for a nil
// figure).
func (f *Figure) PNG() []byte {
	var buf bytes.Buffer
	if err := f.Encode(&buf, "png"); err != nil {
		return nil // Encode only fails on the writer, and a bytes.Buffer does not
	}
	return buf.Bytes()
}

// SVG returns the figure as an SVG document whose width and height are its logical size in
// CSS pixels ("" for a nil figure).
func (f *Figure) SVG() string {
	var buf bytes.Buffer
	if err := f.Encode(&buf, "svg"); err != nil {
		return ""
	}
	return buf.String()
}

// MIMEBundle returns the figure as a PNG display bundle whose metadata asks the notebook to
// show it at its logical size, with the String form as text/plain. (SVG is left out of the
// bundle: notebooks prefer SVG over PNG when both are present, and a figure with image
// tiles is much larger as SVG. Show the SVG form with display.SVG(f.SVG()).)
func (f *Figure) MIMEBundle() display.Bundle {
	if f == nil {
		return display.Text(nilFigure)
	}
	b := display.PNG(f.PNG())
	b.Data[display.MIMEText] = f.String()
	b.Metadata = map[string]any{
		display.MIMEPNG: map[string]any{"width": f.width, "height": f.height},
	}
	return b
}

// Encode writes the figure to w in the given format: "png" (at PNGScale) or "svg".
func (f *Figure) Encode(w io.Writer, format string) error {
	if f == nil {
		return errors.New("plots: nil figure: its constructor returned an error")
	}
	switch strings.ToLower(format) {
	case "png":
		img := f.Image(PNGScale)
		var err error
		if rgba, ok := img.(*image.RGBA); ok {
			err = encodeOpaquePNG(w, rgba)
		} else {
			err = png.Encode(w, img)
		}
		if err != nil {
			return fmt.Errorf("plots: writing PNG: %w", err)
		}
		return nil
	case "svg":
		c := vgsvg.New(vg.Length(f.width), vg.Length(f.height))
		dc := draw.New(c)
		fillBackground(dc) // a raster canvas starts white; an SVG one is transparent
		f.render(dc)
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return fmt.Errorf("plots: writing SVG: %w", err)
		}
		// vgsvg sizes the document in points, which browsers show 4/3 larger than the PNG
		// form; the viewBox keeps the drawing, so size it in CSS pixels instead.
		doc := buf.String()
		if m := svgSizeInPoints.FindStringSubmatchIndex(doc); m != nil {
			doc = doc[:m[0]] + `<svg width="` + doc[m[2]:m[3]] + `px" height="` + doc[m[4]:m[5]] + `px"` + doc[m[1]:]
		}
		if _, err := io.WriteString(w, doc); err != nil {
			return fmt.Errorf("plots: writing SVG: %w", err)
		}
		return nil
	}
	return fmt.Errorf("plots: unknown format %q: use \"png\" or \"svg\"", format)
}

// svgSizeInPoints matches the size attributes of vgsvg's root element.
var svgSizeInPoints = regexp.MustCompile(`<svg width="([0-9.e+]+)pt" height="([0-9.e+]+)pt"`)

// Save writes the figure to the file at path, in the format its extension names (.png or
// .svg).
func (f *Figure) Save(path string) (err error) {
	if f == nil {
		return fmt.Errorf("plots: cannot save %s: nil figure (its constructor returned an error)", path)
	}
	format := strings.TrimPrefix(strings.ToLower(filepath.Ext(path)), ".")
	if format != "png" && format != "svg" {
		return fmt.Errorf("plots: cannot save %s: the extension must be .png or .svg", path)
	}
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	defer func() {
		if cerr := file.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("plots: %w", cerr)
		}
	}()
	return f.Encode(file, format)
}

// Option changes a figure's layout or annotation. Each constructor documents the options
// it uses and ignores the others.
type Option func(*options)

type options struct {
	width, height int
	title         string
	columns       int
	labels        []int
	predictions   []int
	classNames    []string
	metrics       []string
	topK          int
}

func buildOptions(opts []Option, width, height int) options {
	o := options{width: width, height: height}
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// Limits of figure sizes, in logical pixels. Default sizes of large grids shrink their
// tiles to stay within maxDefaultWidth x maxDefaultHeight.
const (
	minSize          = 16
	maxSize          = 8192
	maxDefaultWidth  = 1600
	maxDefaultHeight = 2400
)

// Size sets the figure's logical size in pixels. Sizes outside [16, 8192] are ignored
// (the PNG form has PNGScale times as many pixels on each side).
func Size(width, height int) Option {
	return func(o *options) {
		if width >= minSize && height >= minSize && width <= maxSize && height <= maxSize {
			o.width, o.height = width, height
		}
	}
}

// Title sets a title drawn across the top of the figure.
func Title(title string) Option { return func(o *options) { o.title = title } }

// Columns sets the number of columns of a grid of panels or images; zero or less chooses
// automatically.
func Columns(n int) Option { return func(o *options) { o.columns = n } }

// Labels gives the true class of each image; image grids title each image with it.
func Labels(labels []int) Option { return func(o *options) { o.labels = labels } }

// Predictions gives the predicted class of each image; image grids title each image with
// it and draw it in red where it differs from the label.
func Predictions(preds []int) Option { return func(o *options) { o.predictions = preds } }

// ClassNames names the classes: titles, bar labels and confusion-matrix axes show
// names[i] instead of the number i.
func ClassNames(names []string) Option { return func(o *options) { o.classNames = names } }

// Metrics chooses and orders the metrics that history charts draw, e.g.
// Metrics("loss", "val_loss"); without it every metric present is drawn.
func Metrics(names ...string) Option {
	return func(o *options) { o.metrics = append([]string(nil), names...) }
}

// TopK sets how many of the most probable classes a prediction panel shows (default 5).
func TopK(k int) Option { return func(o *options) { o.topK = k } }

// className returns the display name of class i.
func (o *options) className(i int) string {
	if i >= 0 && i < len(o.classNames) {
		return o.classNames[i]
	}
	return fmt.Sprint(i)
}

// Colours of successive series: matplotlib's tab10 cycle, which the book's figures use.
var seriesColors = []color.Color{
	rgb(0x1f77b4), rgb(0xff7f0e), rgb(0x2ca02c), rgb(0xd62728), rgb(0x9467bd),
	rgb(0x8c564b), rgb(0xe377c2), rgb(0x7f7f7f), rgb(0xbcbd22), rgb(0x17becf),
}

var (
	colorWrong = rgb(0xd62728)
	colorRight = rgb(0x2ca02c)
)

func rgb(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// seriesColor returns the colour of series i.
func seriesColor(i int) color.Color { return seriesColors[i%len(seriesColors)] }

// textStyle returns a text style in plot's default font.
func textStyle(size vg.Length, c color.Color, x draw.XAlignment, y draw.YAlignment) draw.TextStyle {
	return draw.TextStyle{
		Color:   c,
		Font:    font.From(plot.DefaultFont, size),
		XAlign:  x,
		YAlign:  y,
		Handler: plot.DefaultTextHandler,
	}
}

// withTitle draws the figure title, if any, and returns the canvas below it.
func withTitle(c draw.Canvas, title string) draw.Canvas {
	if title == "" {
		return c
	}
	sty := textStyle(14, color.Black, draw.XCenter, draw.YTop)
	c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: c.Max.Y - 4}, title)
	c.Max.Y -= sty.Height(title) + 8
	return c
}

// fillBackground paints the canvas white (SVG has no background otherwise).
func fillBackground(c draw.Canvas) {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
}

// truncate shortens s to at most n runes, ending it with an ellipsis when cut.
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
