package dl

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Printing in numpy's str style: nested brackets, one common number format per tensor with
// aligned decimal points, rows wrapped at 75 characters, and tensors of more than
// printThreshold elements summarised with "..." (the first and last printEdge items of each
// long axis).

const (
	printThreshold = 1000
	printEdge      = 3
	printWidth     = 75
	printPrecision = 8
)

// String formats the tensor like numpy's str: [[1. 2.] [3. 4.]] on two lines, truncated with
// "..." when it has more than 1000 elements.
func (t *Tensor) String() string {
	if t == nil {
		return "<nil>"
	}
	if t.sym != nil {
		return fmt.Sprintf("<symbolic tensor %s shape=%s dtype=%s>", t.sym.node.layer.Name(), shapeString(t.shape), t.dtype)
	}
	summarize := t.Size() > printThreshold
	// Collect the flat indices that are shown.
	var shown []int
	collectShown(t.shape, 0, 0, summarize, &shown)
	strs := make(map[int]string, len(shown))
	f := newNumFormat(t, shown)
	for _, i := range shown {
		strs[i] = f.format(t.at(i))
	}
	var b strings.Builder
	if len(t.shape) == 0 {
		if len(shown) == 1 {
			b.WriteString(strs[0])
		}
		return b.String()
	}
	writeNested(&b, t.shape, 0, 0, strs, summarize, 1)
	return b.String()
}

// collectShown appends the flat indices of the elements printed for the sub-array at
// offset off of dimension d.
func collectShown(shape []int, d, off int, summarize bool, out *[]int) {
	if d == len(shape) {
		*out = append(*out, off)
		return
	}
	stride := 1
	for _, s := range shape[d+1:] {
		stride *= s
	}
	for _, i := range axisItems(shape[d], summarize) {
		if i >= 0 {
			collectShown(shape, d+1, off+i*stride, summarize, out)
		}
	}
}

// axisItems lists the indices printed along an axis of size n; -1 stands for "...".
func axisItems(n int, summarize bool) []int {
	var items []int
	if summarize && n > 2*printEdge {
		for i := 0; i < printEdge; i++ {
			items = append(items, i)
		}
		items = append(items, -1)
		for i := n - printEdge; i < n; i++ {
			items = append(items, i)
		}
		return items
	}
	for i := 0; i < n; i++ {
		items = append(items, i)
	}
	return items
}

func writeNested(b *strings.Builder, shape []int, d, off int, strs map[int]string, summarize bool, indent int) {
	stride := 1
	for _, s := range shape[d+1:] {
		stride *= s
	}
	items := axisItems(shape[d], summarize)
	b.WriteByte('[')
	if d == len(shape)-1 {
		lineLen := indent
		for k, i := range items {
			s := "..."
			if i >= 0 {
				s = strs[off+i]
			}
			if k > 0 {
				if lineLen+1+len(s) > printWidth {
					b.WriteByte('\n')
					b.WriteString(strings.Repeat(" ", indent))
					lineLen = indent
				} else {
					b.WriteByte(' ')
					lineLen++
				}
			}
			b.WriteString(s)
			lineLen += len(s)
		}
		b.WriteByte(']')
		return
	}
	for k, i := range items {
		if k > 0 {
			b.WriteString(strings.Repeat("\n", len(shape)-1-d))
			b.WriteString(strings.Repeat(" ", indent))
		}
		if i < 0 {
			b.WriteString("...")
			continue
		}
		writeNested(b, shape, d+1, off+i*stride, strs, summarize, indent+1)
	}
	b.WriteByte(']')
}

// numFormat is the common format of a tensor's printed numbers.
type numFormat struct {
	integer bool // integer dtype
	sci     bool
	neg     bool // some value is negative: positive ones get a space for the sign
	prec    int  // fraction digits (fixed) or mantissa digits (sci)
	intW    int  // width of the part before the point
	fracW   int  // width of the part after the point
}

func newNumFormat(t *Tensor, shown []int) *numFormat {
	f := &numFormat{integer: t.dtype != Float32}
	if f.integer {
		for _, i := range shown {
			f.intW = max(f.intW, len(strconv.FormatInt(int64(t.at(i)), 10)))
		}
		return f
	}
	var maxAbs, minAbs float64 = 0, math.Inf(1)
	for _, i := range shown {
		v := t.at(i)
		if !isFinite(v) {
			continue
		}
		a := math.Abs(v)
		f.neg = f.neg || v < 0
		maxAbs = max(maxAbs, a)
		if a > 0 {
			minAbs = min(minAbs, a)
		}
	}
	if maxAbs >= 1e8 || minAbs < 1e-4 || (minAbs < math.Inf(1) && maxAbs/minAbs > 1e3) { // numpy's rule
		f.sci = true
	}
	// Digits needed: the shortest representation of each value, capped.
	for _, i := range shown {
		v := t.at(i)
		if !isFinite(v) {
			f.intW = max(f.intW, len(nonFinite(v)))
			continue
		}
		if f.sci {
			m := strconv.FormatFloat(float64(float32(v)), 'e', -1, 32)
			mant := m[:strings.IndexByte(m, 'e')]
			if p := strings.IndexByte(mant, '.'); p >= 0 {
				f.prec = max(f.prec, min(len(mant)-p-1, printPrecision))
			}
			continue
		}
		ip, fp := fixedParts(v)
		f.intW = max(f.intW, len(ip))
		f.fracW = max(f.fracW, len(fp))
	}
	return f
}

func nonFinite(v float64) string {
	switch {
	case math.IsNaN(v):
		return "nan"
	case v > 0:
		return "inf"
	}
	return "-inf"
}

func (f *numFormat) format(v float64) string {
	if f.integer {
		s := strconv.FormatInt(int64(v), 10)
		return strings.Repeat(" ", f.intW-len(s)) + s
	}
	if !isFinite(v) {
		s := nonFinite(v)
		return strings.Repeat(" ", max(f.intW-len(s), 0)) + s + strings.Repeat(" ", f.fracW+1)
	}
	if f.sci {
		s := strconv.FormatFloat(v, 'e', f.prec, 32)
		if f.prec == 0 { // numpy keeps the point: 1.e-05
			s = strings.Replace(s, "e", ".e", 1)
		}
		if v >= 0 && f.neg {
			s = " " + s
		}
		return s
	}
	ip, fp := fixedParts(v)
	return strings.Repeat(" ", max(f.intW-len(ip), 0)) + ip + "." + fp + strings.Repeat(" ", f.fracW-len(fp))
}

// fixedParts returns the integer and fraction digits of the shortest decimal that reads back
// as the float32 v, with at most printPrecision fraction digits (numpy's "maxprec" mode).
func fixedParts(v float64) (ip, fp string) {
	s := strconv.FormatFloat(v, 'f', -1, 32)
	if p := strings.IndexByte(s, '.'); p >= 0 {
		ip, fp = s[:p], s[p+1:]
	} else {
		ip = s
	}
	if len(fp) > printPrecision {
		s = strings.TrimRight(strconv.FormatFloat(v, 'f', printPrecision, 64), "0")
		p := strings.IndexByte(s, '.')
		ip, fp = s[:p], s[p+1:]
	}
	return ip, fp
}
