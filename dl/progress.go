package dl

import (
	"fmt"
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
type progbar struct {
	w       io.Writer
	target  int
	verbose int
	start   time.Time
	last    time.Time
	width   int // characters of the last line written, for blanking
	buf     []byte
}

const progInterval = 50 * time.Millisecond

func newProgbar(w io.Writer, target, verbose int) *progbar {
	t := now()
	return &progbar{w: w, target: target, verbose: verbose, start: t, last: t}
}

// due reports whether an update at current samples would be written.
func (p *progbar) due(current int) bool {
	if p == nil || p.verbose != 1 || current >= p.target {
		return false
	}
	return now().Sub(p.last) >= progInterval
}

// update rewrites the bar at current samples with the running logs.
func (p *progbar) update(current int, logs []logValue) {
	p.last = now()
	p.write(current, logs)
}

// finish writes the final line of an epoch.
func (p *progbar) finish(current int, logs []logValue) {
	if p == nil || p.verbose == 0 {
		return
	}
	p.write(current, logs)
}

// abort ends a partly written bar line.
func (p *progbar) abort() {
	if p != nil && p.verbose == 1 && p.width > 0 {
		io.WriteString(p.w, "\n")
	}
}

func (p *progbar) write(current int, logs []logValue) {
	t := now()
	elapsed := t.Sub(p.start).Seconds()
	b := p.buf[:0]
	digits := 1
	if p.target > 0 {
		digits = int(math.Log10(float64(p.target))) + 1
	}
	count := fmt.Sprintf("%*d/%d", digits, current, p.target)
	info := fmt.Sprintf(" - %.0fs", elapsed)
	if p.verbose == 2 {
		if current < p.target {
			return
		}
		b = append(b, count...)
		b = append(b, info...)
		b = appendLogs(b, logs)
		b = append(b, '\n')
		p.w.Write(b)
		p.buf = b
		return
	}
	if p.width > 0 {
		b = append(b, '\r')
	}
	b = append(b, count...)
	b = append(b, " ["...)
	progWidth := 0
	if p.target > 0 {
		progWidth = int(30 * float64(current) / float64(p.target))
	}
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
	perUnit := 0.0
	if current > 0 {
		perUnit = elapsed / float64(current)
	}
	if current < p.target {
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
		switch {
		case perUnit >= 1 || perUnit == 0:
			info += fmt.Sprintf(" %.0fs/sample", perUnit)
		case perUnit >= 1e-3:
			info += fmt.Sprintf(" %.0fms/sample", perUnit*1e3)
		default:
			info += fmt.Sprintf(" %.0fus/sample", perUnit*1e6)
		}
	}
	b = append(b, info...)
	b = appendLogs(b, logs)
	width := len(b)
	if b[0] == '\r' {
		width--
	}
	if width < p.width {
		b = append(b, strings.Repeat(" ", p.width-width)...)
	}
	p.width = width
	if current >= p.target {
		b = append(b, '\n')
		p.width = 0
	}
	p.w.Write(b)
	p.buf = b
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
// the order of LogKeys (keys added by other callbacks, such as "lr", are not shown).
type progressLogger struct {
	out        io.Writer
	verbose    int
	samples    int
	valSamples int // -1 without validation
	epochs     int
	seen       int // samples done in the current epoch, set by Fit before OnBatchEnd

	model *Sequential
	bar   *progbar
	logs  []logValue
	live  *liveView // Fit's view in a notebook, nil for the text log
}

func (p *progressLogger) SetModel(m *Sequential) { p.model = m }

// OnTrainBegin writes the "Train on" line. With verbose 1, a rich display sink
// (display.Rich) and the log going to standard output (a notebook), it starts the live view
// instead, and the text log is not written.
func (p *progressLogger) OnTrainBegin(logs Logs) {
	header := fmt.Sprintf("Train on %d samples", p.samples)
	if p.valSamples >= 0 {
		header = fmt.Sprintf("Train on %d samples, validate on %d samples", p.samples, p.valSamples)
	}
	p.live = nil
	if p.verbose == 1 && p.out == io.Writer(os.Stdout) && display.Rich() {
		p.live = newLiveView(header, p.samples, p.epochs)
		return
	}
	printf(p.out, "%s\n", header)
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
