package dl

// Model summaries in the layout of tf.keras 2.0's model.summary(): a table of the layers
// cut at fixed column stops, then the parameter counts. Sequential and sequential-like
// models use 65 characters and three columns; other functional graphs 98 characters and a
// fourth column, "Connected to", listing each inbound tensor as name[node][tensor], one
// per line.

import (
	"fmt"
	"html"
	"io"
	"os"
	"strconv"
	"strings"

	"godl.dev/godl/display"
)

// summaryTable is the content of a summary.
type summaryTable struct {
	name  string
	wide  bool       // the functional layout, with "Connected to"
	rows  [][]string // name (type), output shape, params, then the connections if wide
	ws    []*Tensor  // the model's weights, for the totals
	width int
	stops []int
}

func newSummaryTable(name string, wide bool, ws []*Tensor) *summaryTable {
	t := &summaryTable{name: name, wide: wide, ws: ws, width: 65, stops: []int{29, 55, 65}}
	if wide {
		t.width, t.stops = 98, []int{32, 53, 65, 98}
	}
	return t
}

// add appends a layer's row; connections go in the fourth column, one per line.
func (t *summaryTable) add(l Layer, shape string, connections []string) {
	n, _ := CountParams(l.Weights())
	row := []string{l.Name() + " (" + l.ClassName() + ")", shape, strconv.Itoa(n)}
	if t.wide {
		row = append(row, connections...)
		if len(connections) == 0 {
			row = append(row, "")
		}
	}
	t.rows = append(t.rows, row)
}

// text returns the summary as Keras prints it.
func (t *summaryTable) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n", t.name)
	b.WriteString(strings.Repeat("_", t.width) + "\n")
	headers := []string{"Layer (type)", "Output Shape", "Param #"}
	if t.wide {
		headers = append(headers, "Connected to")
	}
	summaryRow(&b, t.stops, headers...)
	b.WriteString(strings.Repeat("=", t.width) + "\n")
	for i, row := range t.rows {
		if t.wide {
			summaryRow(&b, t.stops, row[:4]...)
			for _, c := range row[4:] {
				summaryRow(&b, t.stops, "", "", "", c)
			}
		} else {
			summaryRow(&b, t.stops, row...)
		}
		if i < len(t.rows)-1 {
			b.WriteString(strings.Repeat("_", t.width) + "\n")
		}
	}
	b.WriteString(strings.Repeat("=", t.width) + "\n")
	total, trainable := CountParams(t.ws)
	fmt.Fprintf(&b, "Total params: %s\n", thousands(total))
	fmt.Fprintf(&b, "Trainable params: %s\n", thousands(trainable))
	fmt.Fprintf(&b, "Non-trainable params: %s\n", thousands(total-trainable))
	b.WriteString(strings.Repeat("_", t.width) + "\n")
	return b.String()
}

// html returns the summary as an HTML table: one row per layer, then the totals.
func (t *summaryTable) html() string {
	var b strings.Builder
	fmt.Fprintf(&b, "<div><b>Model: %s</b>\n<table>\n", html.EscapeString(strconv.Quote(t.name)))
	b.WriteString(`<thead><tr><th style="text-align:left">Layer (type)</th><th style="text-align:left">Output Shape</th><th style="text-align:right">Param #</th>`)
	if t.wide {
		b.WriteString(`<th style="text-align:left">Connected to</th>`)
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, row := range t.rows {
		fmt.Fprintf(&b, `<tr><td style="text-align:left">%s</td><td style="text-align:left">%s</td><td style="text-align:right">%s</td>`,
			html.EscapeString(row[0]), html.EscapeString(row[1]), row[2])
		if t.wide {
			var cs []string
			for _, c := range row[3:] {
				if c != "" {
					cs = append(cs, html.EscapeString(c))
				}
			}
			fmt.Fprintf(&b, `<td style="text-align:left">%s</td>`, strings.Join(cs, "<br>"))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
	total, trainable := CountParams(t.ws)
	fmt.Fprintf(&b, "<div>Total params: %s<br>Trainable params: %s<br>Non-trainable params: %s</div></div>",
		thousands(total), thousands(trainable), thousands(total-trainable))
	return b.String()
}

// show prints the summary to standard output, or displays it as HTML with the text as its
// text/plain form in a notebook (display.Rich).
func (t *summaryTable) show() {
	text := t.text()
	if !display.Rich() {
		io.WriteString(os.Stdout, text)
		return
	}
	display.Display(display.Bundle{Data: map[string]any{
		display.MIMEText: text,
		display.MIMEHTML: t.html(),
	}})
}

// summaryRow writes fields cut and padded at stops, as Keras's print_row does: before each
// field after the first, the last character so far becomes a space.
func summaryRow(b *strings.Builder, stops []int, fields ...string) {
	line := ""
	for i, f := range fields {
		if i > 0 {
			line = line[:len(line)-1] + " "
		}
		line += f
		if len(line) > stops[i] {
			line = line[:stops[i]]
		}
		line += strings.Repeat(" ", stops[i]-len(line))
	}
	b.WriteString(line + "\n")
}

// table returns the model's summary table: Keras's layout for a subclassed model (shapes
// "multiple"), a sequential-like graph (three columns) or another graph (four).
func (m *Model) table() *summaryTable {
	if m.sub != nil {
		if !m.Built() {
			panicf("Summary", nil, "model %q is not built yet: call Build with the input shape, or Fit or Predict, first", m.name)
		}
		t := newSummaryTable(m.name, false, m.Weights())
		for _, l := range m.Layers() {
			t.add(l, "multiple", nil)
		}
		return t
	}
	in := map[*graphNode]bool{}
	for _, n := range m.nodes {
		in[n] = true
	}
	t := newSummaryTable(m.name, !m.sequentialLike(), m.Weights())
	for _, l := range m.layers {
		var conns []string
		for _, n := range nodesOf(l) {
			if !in[n] {
				continue
			}
			for _, x := range n.inputs {
				p := x.sym.node
				conns = append(conns, fmt.Sprintf("%s[%d][0]", p.layer.Name(), p.index))
			}
		}
		t.add(l, layerOutputShape(l), conns)
	}
	return t
}

// sequentialLike reports whether the graph is a chain, each depth one node of one input and
// no layer called twice, which Keras summarises in the Sequential layout.
func (m *Model) sequentialLike() bool {
	perDepth := map[int]int{}
	calls := map[string]int{}
	for _, n := range m.nodes {
		perDepth[m.depth[n]]++
		if perDepth[m.depth[n]] > 1 || len(n.inputs) > 1 {
			return false
		}
		calls[n.layer.Name()]++
		if calls[n.layer.Name()] > 1 {
			return false
		}
	}
	return true
}

// layerOutputShape returns the shape a summary prints for l: its output shape when all its
// calls agree ("[(None, 28, 28, 1)]" for an InputLayer, a list as in TF 2.0), else
// "multiple".
func layerOutputShape(l Layer) string {
	ns := nodesOf(l)
	if len(ns) == 0 {
		return "multiple"
	}
	s := ns[0].output.shape
	for _, n := range ns[1:] {
		if !sameShape(n.output.shape, s) {
			return "multiple"
		}
	}
	if _, ok := l.(*InputLayer); ok {
		return "[" + shapeString(s) + "]"
	}
	return shapeString(s)
}

// Summary prints the model's layer table to standard output in the format of tf.keras
// 2.0's model.summary(). In a notebook (display.Rich) it shows the same table as HTML
// through display instead, with that text as the text/plain form. A subclassed model must
// be built first.
func (m *Model) Summary() { m.table().show() }

// SummaryString returns the text that Summary prints.
func (m *Model) SummaryString() string { return m.table().text() }

// WriteSummary writes the summary that Summary prints to w.
func (m *Model) WriteSummary(w io.Writer) { io.WriteString(w, m.SummaryString()) }
