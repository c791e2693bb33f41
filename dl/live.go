package dl

import (
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"strings"
	"time"

	"godl.dev/godl/display"
	"godl.dev/godl/plots"
)

// liveInterval is the least time between two updates of a live progress bar (Jupyter
// front ends redraw an output on each update_display_data; 4 a second is smooth without
// flooding the kernel's IOPub channel).
const liveInterval = 250 * time.Millisecond

// liveView is Fit's progress log in a notebook (verbose 1 with a rich display sink): two
// displays updated in place.
//
//   - The log: the header ("Train on ..."), the final lines of the epochs done, and the
//     current epoch's HTML progress bar beside its Keras line, updated at most every
//     liveInterval during an epoch. Its text/plain is the Keras text log.
//   - The curves: a PNG of the loss and metrics per epoch, shown when the first epoch ends
//     and replaced at each later epoch's end only, so that the image (tens of KB) is sent
//     once per epoch, not with every bar update.
//
// When training ends, both displays hold their final state: the whole log and the curves
// of every epoch, which is what a saved notebook keeps.
type liveView struct {
	log    *display.Handle
	curves *display.Handle
	header string
	epochs int
	epoch  int // current epoch, from 0
	target int // samples or steps per epoch, 0 while unknown
	unit   string
	bar    *progbar // formats the Keras line; writes nothing
	line   string   // the current epoch's Keras line
	last   time.Time
	hist   map[string][]float64
	keys   []string // order of hist's keys, as first logged
	html   strings.Builder
	// done holds the final log lines of the completed epochs before the current one
	// ("Epoch i/n" and the Keras line), so the saved record keeps the whole log, as
	// Keras's output does; final is the current epoch's, once it has ended.
	done  []string
	final string
}

func newLiveView(header string, target, epochs int, unit string) *liveView {
	return &liveView{log: display.NewHandle(), curves: display.NewHandle(), header: header,
		target: target, epochs: epochs, unit: unit, hist: map[string][]float64{}}
}

// beginEpoch starts the bar of epoch (from 0) and shows it.
func (v *liveView) beginEpoch(epoch int) {
	if v.final != "" {
		v.done = append(v.done, v.final)
		v.final = ""
	}
	v.epoch = epoch
	v.bar = newProgbar(io.Discard, v.target, 1)
	v.bar.unit = v.unit
	v.line = string(v.bar.format(nil, 0, nil))
	v.show(0, "")
}

// setTarget sets the number of samples or steps of an epoch, once a data set of unknown
// length has been through one.
func (v *liveView) setTarget(n int) {
	v.target = n
	if v.bar != nil {
		v.bar.target = n
	}
}

// due reports whether an update at current samples would be shown: during the epoch, once
// liveInterval has passed since the last update.
func (v *liveView) due(current int) bool {
	return (v.target <= 0 || current < v.target) && now().Sub(v.last) >= liveInterval
}

// update shows the bar at current samples with the running logs.
func (v *liveView) update(current int, logs []logValue) {
	v.line = string(v.bar.format(nil, current, logs))
	v.show(current, "")
}

// endEpoch records the epoch's logs, shows the epoch's final line, and redraws the curves.
func (v *liveView) endEpoch(logs []logValue) {
	for _, l := range logs {
		if _, ok := v.hist[l.name]; !ok {
			v.keys = append(v.keys, l.name)
		}
		v.hist[l.name] = append(v.hist[l.name], l.value)
	}
	// The line first, so that the epoch time it reports leaves out drawing the curves.
	v.line = string(v.bar.format(nil, v.target, logs))
	v.final = strings.TrimSpace(v.epochLine() + "\n" + v.line)
	v.show(v.target, "")
	fig, err := plots.History(v.hist)
	if err != nil {
		return
	}
	v.curves.Show(display.Bundle{Data: map[string]any{
		display.MIMEPNG:  base64.StdEncoding.EncodeToString(fig.PNG()),
		display.MIMEText: curvesText(v.keys, len(v.hist[v.keys[0]])),
	}})
}

// curvesText is the text/plain of the curves display.
func curvesText(keys []string, epochs int) string {
	plural := "s"
	if epochs == 1 {
		plural = ""
	}
	return fmt.Sprintf("<training curves of %s over %d epoch%s>", strings.Join(keys, ", "), epochs, plural)
}

// epochLine is "Epoch i/n" for the current epoch, or "" when Fit runs one epoch.
func (v *liveView) epochLine() string {
	if v.epochs > 1 {
		return fmt.Sprintf("Epoch %d/%d", v.epoch+1, v.epochs)
	}
	return ""
}

// abort shows the last state marked as interrupted.
func (v *liveView) abort() {
	if v.bar != nil {
		v.show(-1, "interrupted")
	}
}

// show replaces the log display with the bar at current samples (-1: no bar).
func (v *liveView) show(current int, note string) {
	v.last = now()
	epochLine := v.epochLine()
	var text strings.Builder
	text.WriteString(v.header)
	for _, d := range v.done {
		text.WriteString("\n" + d)
	}
	if epochLine != "" {
		text.WriteString("\n" + epochLine)
	}
	text.WriteString("\n" + v.line)
	if note != "" {
		text.WriteString(" - " + note)
	}
	h := &v.html
	h.Reset()
	h.WriteString(`<div class="godl-fit">`)
	fmt.Fprintf(h, "<div>%s</div>", html.EscapeString(v.header))
	if len(v.done) > 0 {
		fmt.Fprintf(h, `<pre style="margin:0">%s</pre>`, html.EscapeString(strings.Join(v.done, "\n")))
	}
	h.WriteString("<div>")
	if epochLine != "" {
		fmt.Fprintf(h, "<b>%s</b> ", html.EscapeString(epochLine))
	}
	if current >= 0 {
		writeProgress(h, current, v.target)
	}
	fmt.Fprintf(h, "<code>%s</code>", html.EscapeString(v.line))
	if note != "" {
		fmt.Fprintf(h, " <i>%s</i>", html.EscapeString(note))
	}
	h.WriteString("</div></div>")
	v.log.Show(display.Bundle{Data: map[string]any{
		display.MIMEText: text.String(),
		display.MIMEHTML: h.String(),
	}})
}
