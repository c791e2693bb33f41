package dl

import (
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"godl.dev/godl/display"
)

// logValue is one named value of a log line, such as loss: 0.2378.
type logValue struct {
	name  string
	value float64
}

// progbar writes the per-epoch log of tf.keras 2.0's Progbar:
//
//	verbose 1:  60000/60000 [==============================] - 2s 35us/sample - loss: 0.6397 - accuracy: 0.8418
//	verbose 2:  60000/60000 - 15s - loss: 1.9806 - accuracy: 0.4209
//
// With verbose 1 the bar is rewritten in place ("\r") at most every 50 ms during the epoch.
// Written to standard output in a notebook (verbose 1 and display.Rich), as Evaluate's
// bar, it is instead one display updated in place at most every liveInterval: an HTML
// progress bar beside the same line. A target of 0 is unknown (a data set's first
// epoch): the line counts without a bar, as "     12/Unknown".
type progbar struct {
	w       io.Writer
	target  int
	verbose int
	unit    string // what the line counts, for its time per unit: "sample" or "step"
	start   time.Time
	last    time.Time
	width   int // characters of the last line written, for blanking
	buf     []byte
	live    *display.Handle
	current int // of the last line shown live
	reached int // the last count given to due, for a live bar's abort
}

const progInterval = 50 * time.Millisecond

func newProgbar(w io.Writer, target, verbose int) *progbar {
	t := now()
	p := &progbar{w: w, target: target, verbose: verbose, unit: "sample", start: t, last: t}
	if verbose == 1 && w == io.Writer(os.Stdout) && display.Rich() {
		p.live = display.NewHandle()
	}
	return p
}

// due reports whether an update at current samples would be written.
func (p *progbar) due(current int) bool {
	if p == nil || p.verbose != 1 || (p.target > 0 && current >= p.target) {
		return false
	}
	p.reached = current
	if p.live != nil {
		return now().Sub(p.last) >= liveInterval
	}
	return now().Sub(p.last) >= progInterval
}

// update rewrites the bar at current samples with the running logs.
func (p *progbar) update(current int, logs []logValue) {
	p.last = now()
	p.write(current, logs, false)
}

// finish writes the final line of an epoch.
func (p *progbar) finish(current int, logs []logValue) {
	if p == nil || p.verbose == 0 {
		return
	}
	p.write(current, logs, true)
}

// abort ends a partly written bar line, or marks the live bar as interrupted.
func (p *progbar) abort() {
	switch {
	case p == nil || p.verbose != 1:
	case p.live != nil:
		if p.reached > p.current || len(p.buf) == 0 { // progress since the last line shown
			p.buf = p.format(p.buf[:0], p.reached, nil)
			p.current = p.reached
		}
		p.show(p.current, string(p.buf), "interrupted")
	case p.width > 0:
		io.WriteString(p.w, "\n")
	}
}

// write writes the line at current samples: framed for a terminal ("\r", blanks, "\n" at
// the end: at the target, or at the end of an epoch of unknown length), or shown live.
func (p *progbar) write(current int, logs []logValue, end bool) {
	if p.verbose == 2 {
		if current < p.target {
			return
		}
		p.buf = append(p.format(p.buf[:0], current, logs), '\n')
		p.w.Write(p.buf)
		return
	}
	if p.live != nil {
		p.buf = p.format(p.buf[:0], current, logs)
		p.show(current, string(p.buf), "")
		return
	}
	b := p.buf[:0]
	if p.width > 0 {
		b = append(b, '\r')
	}
	n := len(b)
	b = p.format(b, current, logs)
	width := len(b) - n
	if width < p.width {
		b = append(b, strings.Repeat(" ", p.width-width)...)
	}
	p.width = width
	if end || (p.target > 0 && current >= p.target) {
		b = append(b, '\n')
		p.width = 0
	}
	p.w.Write(b)
	p.buf = b
}

// show replaces the live bar's display: an HTML progress bar and the line.
func (p *progbar) show(current int, line, note string) {
	p.current = current
	text := line
	if note != "" {
		text += " - " + note
	}
	var h strings.Builder
	h.WriteString(`<div class="godl-progress">`)
	writeProgress(&h, current, p.target)
	fmt.Fprintf(&h, "<code>%s</code>", html.EscapeString(line))
	if note != "" {
		fmt.Fprintf(&h, " <i>%s</i>", html.EscapeString(note))
	}
	h.WriteString("</div>")
	p.live.Show(display.Bundle{Data: map[string]any{display.MIMEText: text, display.MIMEHTML: h.String()}})
}

// writeProgress writes an HTML progress element at current of target (indeterminate when
// target is unknown).
func writeProgress(h *strings.Builder, current, target int) {
	const style = `style="width:30em;vertical-align:middle"`
	if target > 0 {
		fmt.Fprintf(h, `<progress value="%d" max="%d" %s></progress> `, current, target, style)
	} else {
		fmt.Fprintf(h, `<progress %s></progress> `, style)
	}
}

// format appends the Keras line at current samples to b: for verbose 2 the count, the
// time and the logs; for verbose 1 the count, the bar, the ETA (or at the end the time and
// the time per unit) and the logs.
func (p *progbar) format(b []byte, current int, logs []logValue) []byte {
	elapsed := now().Sub(p.start).Seconds()
	digits := 1
	if p.target > 0 {
		digits = int(math.Log10(float64(p.target))) + 1
	}
	info := fmt.Sprintf(" - %.0fs", elapsed)
	if p.verbose == 2 {
		b = fmt.Appendf(b, "%*d/%d", digits, current, p.target)
		b = append(b, info...)
		return appendLogs(b, logs)
	}
	if p.target <= 0 {
		b = fmt.Appendf(b, "%7d/Unknown", current)
	} else {
		b = fmt.Appendf(b, "%*d/%d [", digits, current, p.target)
		progWidth := min(int(30*float64(current)/float64(p.target)), 30)
		if progWidth > 0 {
			b = append(b, strings.Repeat("=", progWidth-1)...)
			if current < p.target {
				b = append(b, '>')
			} else {
				b = append(b, '=')
			}
		}
		b = append(b, strings.Repeat(".", max(30-progWidth, 0))...)
		b = append(b, ']')
	}
	perUnit := 0.0
	if current > 0 {
		perUnit = elapsed / float64(current)
	}
	if p.target > 0 && current < p.target {
		eta := perUnit * float64(p.target-current)
		switch {
		case eta > 3600:
			info = fmt.Sprintf(" - ETA: %d:%02d:%02d", int(eta)/3600, int(eta)%3600/60, int(eta)%60)
		case eta > 60:
			info = fmt.Sprintf(" - ETA: %d:%02d", int(eta)/60, int(eta)%60)
		default:
			info = fmt.Sprintf(" - ETA: %ds", int(eta))
		}
	} else {
		unit := p.unit
		if unit == "" {
			unit = "sample"
		}
		switch {
		case perUnit >= 1 || perUnit == 0:
			info += fmt.Sprintf(" %.0fs/%s", perUnit, unit)
		case perUnit >= 1e-3:
			info += fmt.Sprintf(" %.0fms/%s", perUnit*1e3, unit)
		default:
			info += fmt.Sprintf(" %.0fus/%s", perUnit*1e6, unit)
		}
	}
	b = append(b, info...)
	return appendLogs(b, logs)
}

// appendLogs appends " - name: value" for each log, with 4 decimals (or %.4e for values of
// magnitude at most 1e-3), as Keras prints them.
func appendLogs(b []byte, logs []logValue) []byte {
	for _, l := range logs {
		b = append(b, " - "...)
		b = append(b, l.name...)
		b = append(b, ':', ' ')
		if math.Abs(l.value) > 1e-3 {
			b = strconv.AppendFloat(b, l.value, 'f', 4, 64)
		} else {
			b = appendPyExp(b, l.value)
		}
	}
	return b
}

// appendPyExp formats v as Python's '%.4e' (at least two exponent digits).
func appendPyExp(b []byte, v float64) []byte {
	return strconv.AppendFloat(b, v, 'e', 4, 64) // Go also writes e-05, e+00
}

func printf(w io.Writer, format string, args ...any) { fmt.Fprintf(w, format, args...) }

// progressLogger is the Callback that writes Fit's log (Keras's ProgbarLogger): the
// "Train on" line, "Epoch i/n" lines and one progbar per epoch, with the loss and metrics in
// the order of LogKeys (keys added by other callbacks, such as "lr", are not shown). With
// steps set (FitDataset) it counts steps instead of samples, as TF 2.0 does for a data set:
// "Train for 1875 steps" and a bar of steps, samples 0 meaning an unknown number.
type progressLogger struct {
	out        io.Writer
	verbose    int
	samples    int
	valSamples int  // -1 without validation
	valSteps   bool // valSamples counts the steps of a validation data set (0: not known)
	epochs     int
	steps      bool
	seen       int // samples (steps) done in the current epoch, set by Fit before OnBatchEnd

	model Network
	bar   *progbar
	logs  []logValue
	live  *liveView // Fit's view in a notebook, nil for the text log
}

func (p *progressLogger) SetModel(m Network) { p.model = m }

// OnTrainBegin writes the "Train on" line. With verbose 1, a rich display sink
// (display.Rich) and the log going to standard output (a notebook), it starts the live view
// instead, and the text log is not written.
func (p *progressLogger) OnTrainBegin(logs Logs) {
	var header string
	switch {
	case !p.steps:
		header = fmt.Sprintf("Train on %d samples", p.samples)
	case p.samples <= 0:
		header = "Train for an unknown number of steps"
	default:
		header = fmt.Sprintf("Train for %d steps", p.samples)
	}
	switch {
	case p.valSteps && p.valSamples > 0:
		header += fmt.Sprintf(", validate for %d steps", p.valSamples)
	case p.valSteps:
		header += ", validate for an unknown number of steps"
	case p.valSamples >= 0:
		header += fmt.Sprintf(", validate on %d samples", p.valSamples)
	}
	p.live = nil
	if p.verbose == 1 && p.out == io.Writer(os.Stdout) && display.Rich() {
		p.live = newLiveView(header, p.samples, p.epochs, p.unit())
		return
	}
	printf(p.out, "%s\n", header)
}

// unit is what the bar counts.
func (p *progressLogger) unit() string {
	if p.steps {
		return "step"
	}
	return "sample"
}

func (p *progressLogger) OnTrainEnd(logs Logs) {}

func (p *progressLogger) OnEpochBegin(epoch int, logs Logs) {
	if p.live != nil {
		p.live.beginEpoch(epoch)
		return
	}
	if p.epochs > 1 {
		printf(p.out, "Epoch %d/%d\n", epoch+1, p.epochs)
	}
	p.bar = newProgbar(p.out, p.samples, p.verbose)
	p.bar.unit = p.unit()
}

func (p *progressLogger) OnBatchBegin(batch int, logs Logs) {}

func (p *progressLogger) OnBatchEnd(batch int, logs Logs) {
	if p.live != nil {
		if p.live.due(p.seen) {
			p.live.update(p.seen, p.ordered(logs))
		}
		return
	}
	if p.bar.due(p.seen) {
		p.bar.update(p.seen, p.ordered(logs))
	}
}

func (p *progressLogger) OnEpochEnd(epoch int, logs Logs) {
	if p.live != nil {
		if p.samples <= 0 { // a data set of unknown length: now known
			p.samples = p.seen
			p.live.setTarget(p.seen)
		}
		p.live.endEpoch(p.ordered(logs))
		return
	}
	p.bar.finish(p.samples, p.ordered(logs))
}

// abort ends a partly written bar line (Fit was interrupted).
func (p *progressLogger) abort() {
	if p.live != nil {
		p.live.abort()
		return
	}
	if p.bar != nil {
		p.bar.abort()
	}
}

// ordered returns the model's loss and metrics in logs, training values then validation.
func (p *progressLogger) ordered(logs Logs) []logValue {
	p.logs = p.logs[:0]
	for _, prefix := range []string{"", "val_"} {
		for _, n := range p.model.MetricsNames() {
			if v, ok := logs[prefix+n]; ok {
				p.logs = append(p.logs, logValue{prefix + n, v})
			}
		}
	}
	return p.logs
}
