package plots

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// valPrefix marks the validation form of a metric in a Keras history.
const valPrefix = "val_"

// History draws one run's training history, as Keras's History.history holds it: one panel
// per metric (loss, then accuracy, then the others by name), each with the training curve
// (solid blue) and, when the history has val_<metric>, the validation curve (dashed orange),
// against the epoch number counted from 1, and a legend of the two on the right. Panels sit
// side by side; Columns(n) wraps them into rows.
//
// Options: Size (default 400x300 logical pixels per panel plus the legend), Title,
// Columns, Metrics (base names such as "loss" or "accuracy", in the order to draw them).
//
// It returns ErrNoData when history holds no non-empty series, or none that Metrics
// selects. NaN and infinite values are drawn as the package documentation describes; the
// panel's title names the series and the epoch, e.g. "loss (val_loss NaN from epoch 7)".
func History(history map[string][]float64, opts ...Option) (*Figure, error) {
	bases := baseMetrics(history)
	o := buildOptions(opts, 0, 0)
	if len(o.metrics) > 0 {
		var chosen []string
		for _, m := range o.metrics {
			m = strings.TrimPrefix(m, valPrefix)
			if len(history[m]) > 0 || len(history[valPrefix+m]) > 0 {
				chosen = append(chosen, m)
			}
		}
		bases = chosen
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("%w: the history has no metric with values to draw (keys: %s)", ErrNoData, keyList(history))
	}
	cols := o.columns
	if cols <= 0 || cols > len(bases) {
		cols = len(bases)
	}
	rows := (len(bases) + cols - 1) / cols
	train := draw.LineStyle{Color: seriesColor(0), Width: vg.Points(1.5)}
	val := draw.LineStyle{Color: seriesColor(1), Width: vg.Points(1.5), Dashes: []vg.Length{vg.Points(5), vg.Points(3)}}
	hasTrain, hasVal := false, false
	panels := make([]*plot.Plot, len(bases))
	for i, base := range bases {
		var ss []series
		if v := history[base]; len(v) > 0 {
			ss = append(ss, series{name: base, values: v, style: train})
			hasTrain = true
		}
		if v := history[valPrefix+base]; len(v) > 0 {
			ss = append(ss, series{name: valPrefix + base, values: v, style: val})
			hasVal = true
		}
		panels[i] = curvePanel(base, ss, true)
	}
	var names []string
	var styles []draw.LineStyle
	if hasTrain {
		names, styles = append(names, "training"), append(styles, train)
	}
	if hasVal {
		names, styles = append(names, "validation"), append(styles, val)
	}
	side := newSideLegend(names, styles)
	if o.width == 0 {
		o.width, o.height = 400*cols+int(side.width), 300*rows
	}
	return gridFigure(o, panels, rows, cols, side), nil
}

// Compare draws several runs' histories side by side, as the book compares optimizers and
// regularizers: one panel per metric key (loss, val_loss, accuracy, val_accuracy, ...,
// training and validation in adjacent columns), one line per run in the run's colour, and a
// legend of the run names on the right shared by all panels. names[i] names histories[i].
//
// Options: Size (default 400x300 logical pixels per panel plus the legend), Title,
// Columns (default 2: training and validation side by side), Metrics (full keys in the
// order to draw them; default every key some run has, loss first, then accuracy, then the
// others by name).
//
// It returns ErrShape when names and histories differ in length, and ErrNoData when there
// are no runs or no metric with values.
func Compare(names []string, histories []map[string][]float64, opts ...Option) (*Figure, error) {
	if len(names) != len(histories) {
		return nil, fmt.Errorf("%w: %d names for %d histories; give one name per run", ErrShape, len(names), len(histories))
	}
	if len(histories) == 0 {
		return nil, fmt.Errorf("%w: no runs to compare", ErrNoData)
	}
	o := buildOptions(opts, 0, 0)
	var keys []string
	if len(o.metrics) > 0 {
		for _, k := range o.metrics {
			if anyValues(histories, k) {
				keys = append(keys, k)
			}
		}
	} else {
		union := map[string][]float64{}
		for _, h := range histories {
			for k, v := range h {
				if len(v) > 0 {
					union[k] = v
				}
			}
		}
		for _, base := range baseMetrics(union) {
			if len(union[base]) > 0 {
				keys = append(keys, base)
			}
			if len(union[valPrefix+base]) > 0 {
				keys = append(keys, valPrefix+base)
			}
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("%w: no run has values for the metrics to draw", ErrNoData)
	}
	cols := o.columns
	if cols <= 0 {
		cols = 2
	}
	if cols > len(keys) {
		cols = len(keys)
	}
	rows := (len(keys) + cols - 1) / cols

	panels := make([]*plot.Plot, len(keys))
	for i, key := range keys {
		var ss []series
		for r, h := range histories {
			if len(h[key]) > 0 {
				sty := draw.LineStyle{Color: seriesColor(r), Width: vg.Points(1.5)}
				ss = append(ss, series{name: names[r], values: h[key], style: sty})
			}
		}
		panels[i] = curvePanel(strings.ReplaceAll(key, "_", "-"), ss, true)
	}
	styles := make([]draw.LineStyle, len(names))
	for r := range names {
		styles[r] = draw.LineStyle{Color: seriesColor(r), Width: vg.Points(2)}
	}
	side := newSideLegend(names, styles)
	if o.width == 0 {
		o.width, o.height = 400*cols+int(side.width), 300*rows
	}
	return gridFigure(o, panels, rows, cols, side), nil
}

// series is one curve of a panel.
type series struct {
	name   string
	values []float64
	style  draw.LineStyle
}

// curvePanel builds one panel of curves against the epoch number. With noteNaN, the title
// names each series that turns non-finite and the epoch where it does.
func curvePanel(title string, ss []series, noteNaN bool) *plot.Plot {
	p := plot.New()
	p.BackgroundColor = nil // the figure's background is already white; filling it again is slow
	p.X.Label.Text = "epoch"
	p.X.Tick.Marker = epochTicks{}
	p.Add(plotter.NewGrid())
	maxLen := 0
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		maxLen = max(maxLen, len(s.values))
		for _, v := range s.values {
			if finite(v) {
				ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
			}
		}
	}
	p.X.Min, p.X.Max = 1, float64(max(maxLen, 2))
	if ymin > ymax { // nothing finite
		p.Y.Min, p.Y.Max = 0, 1
	} else if ymin == ymax {
		p.Y.Min, p.Y.Max = ymin-0.5, ymax+0.5
	} else {
		p.Y.Min, p.Y.Max = ymin, ymax
	}
	var notes []string
	for _, s := range ss {
		for _, seg := range segments(s.values) {
			if len(seg) == 1 {
				sc, _ := plotter.NewScatter(seg)
				sc.GlyphStyle = draw.GlyphStyle{Color: s.style.Color, Radius: vg.Points(2), Shape: draw.CircleGlyph{}}
				p.Add(sc)
				continue
			}
			l, _ := plotter.NewLine(seg) // segments holds only finite points
			l.LineStyle = s.style
			p.Add(l)
		}
		if e := firstNonFinite(s.values); e >= 0 {
			notes = append(notes, fmt.Sprintf("%s %s from epoch %d", s.name, nonFiniteName(s.values[e]), e+1))
			p.Add(nanMark{epoch: float64(e + 1), color: s.style.Color})
		}
	}
	p.Title.Text = title
	if noteNaN && len(notes) > 0 {
		p.Title.Text += " (" + strings.Join(notes, ", ") + ")"
	}
	return p
}

// segments splits values into runs of finite points (epoch, value), epochs from 1.
func segments(values []float64) []plotter.XYs {
	var out []plotter.XYs
	var cur plotter.XYs
	for i, v := range values {
		if !finite(v) {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, plotter.XY{X: float64(i + 1), Y: v})
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func firstNonFinite(values []float64) int {
	for i, v := range values {
		if !finite(v) {
			return i
		}
	}
	return -1
}

func nonFiniteName(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return "NaN"
}

// baseMetrics returns the metric names of a history without the val_ prefix: loss first,
// accuracy second, the others sorted.
func baseMetrics(history map[string][]float64) []string {
	seen := map[string]bool{}
	for k, v := range history {
		if len(v) > 0 {
			seen[strings.TrimPrefix(k, valPrefix)] = true
		}
	}
	var out []string
	for _, first := range []string{"loss", "accuracy", "acc"} {
		if seen[first] {
			out = append(out, first)
			delete(seen, first)
		}
	}
	var rest []string
	for k := range seen {
		rest = append(rest, k)
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func anyValues(histories []map[string][]float64, key string) bool {
	for _, h := range histories {
		if len(h[key]) > 0 {
			return true
		}
	}
	return false
}

func keyList(history map[string][]float64) string {
	if len(history) == 0 {
		return "none"
	}
	var ks []string
	for k, v := range history {
		ks = append(ks, fmt.Sprintf("%s[%d]", k, len(v)))
	}
	sort.Strings(ks)
	return strings.Join(ks, ", ")
}

// nanMark draws a cross at the top edge of a panel above the first non-finite epoch.
type nanMark struct {
	epoch float64
	color color.Color
}

func (m nanMark) Plot(c draw.Canvas, p *plot.Plot) {
	x, _ := p.Transforms(&c)
	sty := draw.GlyphStyle{Color: m.color, Radius: vg.Points(4), Shape: draw.CrossGlyph{}}
	c.DrawGlyphNoClip(sty, vg.Point{X: x(m.epoch), Y: c.Max.Y - vg.Points(4)})
}

// legendThumb draws a short line in a legend.
type legendThumb struct{ sty draw.LineStyle }

func (t legendThumb) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(t.sty, c.Min.X, y, c.Max.X, y)
}

// epochTicks marks whole epochs: every epoch when there are few, else a round step.
type epochTicks struct{}

func (epochTicks) Ticks(lo, hi float64) []plot.Tick {
	span := hi - lo
	step := 1.0
	for _, s := range []float64{1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000} {
		step = s
		if span/s <= 10 {
			break
		}
	}
	var ticks []plot.Tick
	start := math.Ceil(lo/step) * step
	if step > 1 && lo <= 1 {
		ticks = append(ticks, plot.Tick{Value: 1, Label: "1"})
		if start < 1 {
			start = step
		}
	}
	for v := start; v <= hi+1e-9; v += step {
		if v == 1 && len(ticks) > 0 {
			continue
		}
		ticks = append(ticks, plot.Tick{Value: v, Label: fmt.Sprint(v)})
	}
	return ticks
}

// sideLegend is a legend drawn in a column at the right of a figure.
type sideLegend struct {
	legend plot.Legend
	width  vg.Length
}

// newSideLegend returns a legend of line styles with its width.
func newSideLegend(names []string, styles []draw.LineStyle) *sideLegend {
	l := plot.NewLegend()
	l.Top, l.Left = true, true
	width := vg.Length(0)
	for i, n := range names {
		l.Add(n, legendThumb{styles[i]})
		width = max(width, l.TextStyle.Width(n))
	}
	return &sideLegend{legend: l, width: width + l.ThumbnailWidth + 24}
}

// gridFigure lays panels out in rows x cols, aligned so their data areas line up, below an
// optional title and beside an optional shared legend.
func gridFigure(o options, panels []*plot.Plot, rows, cols int, side *sideLegend) *Figure {
	return &Figure{width: o.width, height: o.height, panels: len(panels), draw: func(c draw.Canvas) {
		c = withTitle(c, o.title)
		if side != nil {
			lc := c
			lc.Min.X = c.Max.X - side.width
			c.Max.X = lc.Min.X
			lc.Min.X += 8
			lc.Max.Y -= 24
			side.legend.Draw(lc)
		}
		grid := make([][]*plot.Plot, rows)
		for r := range grid {
			grid[r] = make([]*plot.Plot, cols)
			for col := range cols {
				if i := r*cols + col; i < len(panels) {
					grid[r][col] = panels[i]
				}
			}
		}
		tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 12, PadY: 12, PadTop: 4, PadBottom: 4, PadLeft: 4, PadRight: 8}
		canvases := plot.Align(grid, tiles, c)
		for r := range grid {
			for col, p := range grid[r] {
				if p != nil {
					p.Draw(canvases[r][col])
				}
			}
		}
	}}
}
