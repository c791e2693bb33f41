package plots

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// PredictionGrid draws n images, each beside a horizontal bar chart of its k most probable
// classes, as the book's display_predictions does: the most probable class on top, each bar
// as long as its probability with the percentage after it. pix holds the images, laid out
// (n, h, w, c) row-major with values in [0, 1] as for ImageGrid; probs holds the predicted
// class probabilities, laid out (n, numClasses). Class names are cut at the first comma and
// to 20 characters, as the book does. With Labels, the bar of the true class is green and, when the
// top class is wrong, the top bar is red; other bars are grey-blue.
//
// Options: Size (default 300x120 logical pixels per cell), Title, Columns (default
// ceil(sqrt(n))), TopK (default 5, at most numClasses), Labels, ClassNames.
//
// It returns ErrNoData for n = 0, ErrShape for inconsistent lengths, ErrNaN for a NaN or
// infinite pixel or probability, and ErrRange for a label outside [0, numClasses).
func PredictionGrid(pix []float32, n, h, w, c int, probs []float32, numClasses int, opts ...Option) (*Figure, error) {
	if err := checkDims("pix", len(pix), n, h, w, c); err != nil {
		return nil, err
	}
	if size, ok := product(n, numClasses); !ok || len(probs) != size {
		return nil, fmt.Errorf("%w: len(probs) = %d, want n*numClasses = %d*%d", ErrShape, len(probs), n, numClasses)
	}
	if i := firstBadFloat(pix); i >= 0 {
		return nil, fmt.Errorf("%w: pixel %d of image %d is %v", ErrNaN, i%(h*w*c), i/(h*w*c), pix[i])
	}
	if i := firstBadFloat(probs); i >= 0 {
		return nil, fmt.Errorf("%w: probability of class %d for image %d is %v", ErrNaN, i%numClasses, i/numClasses, probs[i])
	}
	o := buildOptions(opts, 0, 0)
	if o.labels != nil {
		if len(o.labels) < n {
			return nil, fmt.Errorf("%w: %d labels for %d images", ErrShape, len(o.labels), n)
		}
		for i, l := range o.labels[:n] {
			if l < 0 || l >= numClasses {
				return nil, fmt.Errorf("%w: label %d of image %d is not in [0, %d)", ErrRange, l, i, numClasses)
			}
		}
	}
	k := o.topK
	if k <= 0 {
		k = 5
	}
	k = min(k, numClasses)
	cells := make([]predCell, n)
	for i := range cells {
		p := probs[i*numClasses : (i+1)*numClasses]
		order := make([]int, numClasses)
		for j := range order {
			order[j] = j
		}
		sort.SliceStable(order, func(a, b int) bool { return p[order[a]] > p[order[b]] })
		cell := predCell{img: floatImage(pix[i*h*w*c:(i+1)*h*w*c], h, w, c, 0, 1), label: -1}
		if o.labels != nil {
			cell.label = o.labels[i]
		}
		for _, cls := range order[:k] {
			name := o.className(cls)
			if j := strings.IndexByte(name, ','); j >= 0 {
				name = name[:j]
			}
			cell.classes = append(cell.classes, cls)
			cell.names = append(cell.names, truncate(name, 20))
			cell.probs = append(cell.probs, float64(p[cls]))
		}
		cells[i] = cell
	}
	cols := o.columns
	if cols <= 0 {
		cols = int(math.Ceil(math.Sqrt(float64(n))))
	}
	cols = min(cols, n)
	rows := (n + cols - 1) / cols
	if o.width == 0 {
		o.width, o.height = 300*cols, 120*rows
		if o.width > maxDefaultWidth || o.height > maxDefaultHeight {
			scale := min(float64(maxDefaultWidth)/float64(o.width), float64(maxDefaultHeight)/float64(o.height))
			o.width, o.height = int(float64(o.width)*scale), int(float64(o.height)*scale)
		}
		if o.title != "" {
			o.height += 26
		}
	}
	return &Figure{width: o.width, height: o.height, panels: 2 * n, draw: func(cv draw.Canvas) {
		cv = withTitle(cv, o.title)
		cellW := (cv.Max.X - cv.Min.X) / vg.Length(cols)
		cellH := (cv.Max.Y - cv.Min.Y) / vg.Length(rows)
		for i, cell := range cells {
			r, col := i/cols, i%cols
			box := vg.Rectangle{Min: vg.Point{X: cv.Min.X + vg.Length(col)*cellW, Y: cv.Max.Y - vg.Length(r+1)*cellH}}
			box.Max = vg.Point{X: box.Min.X + cellW, Y: box.Min.Y + cellH}
			cell.draw(cv, box)
		}
	}}, nil
}

// predCell is one image and its top-k classes, most probable first.
type predCell struct {
	img     image.Image
	label   int // -1 when unknown
	classes []int
	names   []string
	probs   []float64
}

var colorBar = rgb(0x4c72b0)

// draw draws the image in the left third of box and the bars in the rest.
func (p predCell) draw(c draw.Canvas, box vg.Rectangle) {
	const pad = 6
	w := box.Max.X - box.Min.X
	imgBox := vg.Rectangle{Min: vg.Point{X: box.Min.X + pad, Y: box.Min.Y + pad}, Max: vg.Point{X: box.Min.X + w/3, Y: box.Max.Y - pad}}
	drawPixels(c, imgBox, p.img)

	bars := vg.Rectangle{Min: vg.Point{X: box.Min.X + w/3 + pad, Y: box.Min.Y + pad}, Max: vg.Point{X: box.Max.X - pad, Y: box.Max.Y - pad}}
	k := len(p.probs)
	rowH := (bars.Max.Y - bars.Min.Y) / vg.Length(k)
	fontSize := min(vg.Length(10), rowH*0.8)
	nameSty := textStyle(fontSize, color.Black, draw.XRight, draw.YCenter)
	valSty := textStyle(fontSize, color.Black, draw.XLeft, draw.YCenter)
	nameW := vg.Length(0)
	for _, n := range p.names {
		nameW = max(nameW, nameSty.Width(n))
	}
	nameW = min(nameW, (bars.Max.X-bars.Min.X)/2)
	pctW := valSty.Width("100%") + 4
	x0 := bars.Min.X + nameW + 4
	barMax := bars.Max.X - pctW - x0
	if barMax <= 0 {
		return
	}
	for j := range k {
		yTop := bars.Max.Y - vg.Length(j)*rowH
		yMid := yTop - rowH/2
		c.FillText(nameSty, vg.Point{X: x0 - 4, Y: yMid}, p.names[j])
		clr := color.Color(colorBar)
		switch {
		case p.label >= 0 && p.classes[j] == p.label:
			clr = colorRight
		case p.label >= 0 && j == 0:
			clr = colorWrong
		}
		bw := barMax * vg.Length(min(max(p.probs[j], 0), 1))
		bar := vg.Rectangle{Min: vg.Point{X: x0, Y: yMid - rowH*0.35}, Max: vg.Point{X: x0 + bw, Y: yMid + rowH*0.35}}
		c.SetColor(clr)
		c.Fill(bar.Path())
		c.FillText(valSty, vg.Point{X: x0 + bw + 3, Y: yMid}, fmt.Sprintf("%.0f%%", 100*p.probs[j]))
	}
	axis := draw.LineStyle{Color: color.Gray{Y: 0x80}, Width: vg.Points(0.5)}
	c.StrokeLine2(axis, x0, bars.Min.Y, x0, bars.Max.Y)
}

// ConfusionMatrix draws the confusion matrix of predictions against true labels as a
// heatmap: row i is true class i, column j predicted class j, each cell holding its count,
// shaded from white (0) to dark blue (the largest count). The title reports the accuracy.
//
// Options: Size (default 40 logical pixels per class plus margins, at least 320), Title
// (default "accuracy 97.80% (n = 10000)"), ClassNames (axis labels, cut to 12 characters).
//
// It returns ErrNoData for no labels, ErrShape when labels and preds differ in length, and
// ErrRange for a class outside [0, numClasses).
func ConfusionMatrix(labels, preds []int, numClasses int, opts ...Option) (*Figure, error) {
	if len(labels) == 0 {
		return nil, fmt.Errorf("%w: no labels", ErrNoData)
	}
	if len(labels) != len(preds) {
		return nil, fmt.Errorf("%w: %d labels and %d predictions; give one prediction per label", ErrShape, len(labels), len(preds))
	}
	if numClasses <= 0 {
		return nil, fmt.Errorf("%w: numClasses = %d, want at least 1", ErrShape, numClasses)
	}
	counts := make([]int, numClasses*numClasses)
	correct, most := 0, 0
	for i, l := range labels {
		p := preds[i]
		if l < 0 || l >= numClasses || p < 0 || p >= numClasses {
			return nil, fmt.Errorf("%w: sample %d has label %d and prediction %d; both must be in [0, %d)", ErrRange, i, l, p, numClasses)
		}
		counts[l*numClasses+p]++
		most = max(most, counts[l*numClasses+p])
		if l == p {
			correct++
		}
	}
	o := buildOptions(opts, 0, 0)
	if o.title == "" {
		o.title = fmt.Sprintf("accuracy %.2f%% (n = %d)", 100*float64(correct)/float64(len(labels)), len(labels))
	}
	names := make([]string, numClasses)
	nameW := vg.Length(0)
	tickSty := textStyle(10, color.Black, draw.XRight, draw.YCenter)
	for i := range names {
		names[i] = truncate(o.className(i), 12)
		nameW = max(nameW, tickSty.Width(names[i]))
	}
	if o.width == 0 {
		side := min(max(40*numClasses, 240), maxDefaultHeight/2)
		o.width = side + int(nameW) + 50
		o.height = side + int(nameW) + 60
	}
	return &Figure{width: o.width, height: o.height, panels: 1, draw: func(c draw.Canvas) {
		c = withTitle(c, o.title)
		labelSty := textStyle(11, color.Black, draw.XCenter, draw.YCenter)
		left := c.Min.X + 18 + nameW + 6 // "true" label, class names
		bottom := c.Min.Y + 18 + nameW + 6
		side := min(c.Max.X-left-8, c.Max.Y-bottom-4)
		if side <= 0 {
			return
		}
		cell := side / vg.Length(numClasses)
		top := bottom + side
		countSize := min(vg.Length(10), cell*0.4)
		for i := range numClasses {
			for j := range numClasses {
				v := counts[i*numClasses+j]
				t := float64(v) / float64(max(most, 1))
				r := vg.Rectangle{
					Min: vg.Point{X: left + vg.Length(j)*cell, Y: top - vg.Length(i+1)*cell},
					Max: vg.Point{X: left + vg.Length(j+1)*cell, Y: top - vg.Length(i)*cell},
				}
				c.SetColor(blues(t))
				c.Fill(r.Path())
				txt := color.Color(color.Black)
				if t > 0.55 {
					txt = color.White
				}
				if countSize >= 4 {
					c.FillText(textStyle(countSize, txt, draw.XCenter, draw.YCenter), vg.Point{X: (r.Min.X + r.Max.X) / 2, Y: (r.Min.Y + r.Max.Y) / 2}, fmt.Sprint(v))
				}
			}
			y := top - (vg.Length(i)+0.5)*cell
			c.FillText(tickSty, vg.Point{X: left - 4, Y: y}, names[i])
		}
		colSty := tickSty
		colSty.Rotation = math.Pi / 2
		for j := range numClasses {
			c.FillText(colSty, vg.Point{X: left + (vg.Length(j)+0.5)*cell, Y: bottom - 4}, names[j])
		}
		c.FillText(labelSty, vg.Point{X: left + side/2, Y: c.Min.Y + 8}, "predicted")
		vert := labelSty
		vert.Rotation = math.Pi / 2
		c.FillText(vert, vg.Point{X: c.Min.X + 8, Y: bottom + side/2}, "true")
		border := draw.LineStyle{Color: color.Gray{Y: 0x60}, Width: vg.Points(0.5)}
		c.StrokeLines(border, []vg.Point{{X: left, Y: bottom}, {X: left + side, Y: bottom}, {X: left + side, Y: top}, {X: left, Y: top}, {X: left, Y: bottom}})
	}}, nil
}

// blues maps t in [0, 1] from white to dark blue, as matplotlib's "Blues".
func blues(t float64) color.RGBA {
	light, dark := rgb(0xf7fbff), rgb(0x08306b)
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + (float64(b)-float64(a))*t + 0.5) }
	return color.RGBA{mix(light.R, dark.R), mix(light.G, dark.G), mix(light.B, dark.B), 255}
}
