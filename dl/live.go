package dl

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html"
	"strings"
	"time"

	"godl.dev/godl/display"
	"godl.dev/godl/plots"
)

// liveInterval is the least time between two updates of the live view during an epoch
// (Jupyter front ends redraw an output on each update_display_data; 4 a second is smooth
// without flooding the kernel's IOPub channel).
const liveInterval = 250 * time.Millisecond

// liveView is Fit's progress log in a notebook (verbose 1 with a rich display sink): one
// display, updated in place, holding an HTML progress bar for the current epoch and the
// loss and metric curves of the epochs done. The curves PNG is rendered only when an epoch
// ends; during an epoch the view is updated at most every liveInterval. Each bundle's
// text/plain is the Keras text line.
type liveView struct {
	handle *display.Handle
	header string // "Train on ..." line
	epochs int
	epoch  int // current epoch, from 0
	target int
	bar    *progbar // writes the Keras text line to line
	line   bytes.Buffer
	last   time.Time
	hist   map[string][]float64
	keys   []string // order of hist's keys, as first logged
	img    string   // base64 PNG of the curves, "" before the first epoch ends
	html   strings.Builder
	// done holds the final log lines of the completed epochs before the current one
	// ("Epoch i/n" and the Keras line), so the saved record keeps the whole log, as
	// Keras's output does; final is the current epoch's, once it has ended.
	done  []string
	final string
}

func newLiveView(header string, target, epochs int) *liveView {
	return &liveView{handle: display.NewHandle(), header: header, target: target, epochs: epochs, hist: map[string][]float64{}}
}

// beginEpoch starts the bar of epoch (from 0) and shows it.
func (v *liveView) beginEpoch(epoch int) {
	if v.final != "" {
		v.done = append(v.done, v.final)
		v.final = ""
	}
	v.epoch = epoch
	v.line.Reset()
	v.bar = newProgbar(&v.line, v.target, 1)
	v.bar.write(0, nil)
	v.show(0, "")
}

// due reports whether an update at current samples would be shown: during the epoch, once
// liveInterval has passed since the last update.
func (v *liveView) due(current int) bool {
	return current < v.target && now().Sub(v.last) >= liveInterval
}

// update shows the bar at current samples with the running logs.
func (v *liveView) update(current int, logs []logValue) {
	v.line.Reset()
	v.bar.write(current, logs)
	v.show(current, "")
}

// endEpoch records the epoch's logs, renders the curves and shows the epoch's final state.
func (v *liveView) endEpoch(logs []logValue) {
	for _, l := range logs {
		if _, ok := v.hist[l.name]; !ok {
			v.keys = append(v.keys, l.name)
		}
		v.hist[l.name] = append(v.hist[l.name], l.value)
	}
	// The line first, so that the epoch time it reports leaves out drawing the curves.
	v.line.Reset()
	v.bar.write(v.target, logs)
	if fig, err := plots.History(v.hist); err == nil {
		v.img = base64.StdEncoding.EncodeToString(fig.PNG())
	}
	v.final = strings.TrimSpace(v.epochLine() + "\n" + v.currentLine())
	v.show(v.target, "")
}

// epochLine is "Epoch i/n" for the current epoch, or "" when Fit runs one epoch.
func (v *liveView) epochLine() string {
	if v.epochs > 1 {
		return fmt.Sprintf("Epoch %d/%d", v.epoch+1, v.epochs)
	}
	return ""
}

// currentLine is the Keras text line of the current epoch's bar.
func (v *liveView) currentLine() string {
	return strings.TrimSpace(strings.TrimPrefix(v.line.String(), "\r"))
}

// abort shows the last state marked as interrupted.
func (v *liveView) abort() {
	if v.bar != nil {
		v.show(-1, "interrupted")
	}
}

// show replaces the display with the bar at current samples (-1: keep the bar as it is)
// and the curves.
func (v *liveView) show(current int, note string) {
	v.last = now()
	line, epochLine := v.currentLine(), v.epochLine()
	var text strings.Builder
	text.WriteString(v.header)
	for _, d := range v.done {
		text.WriteString("\n" + d)
	}
	if epochLine != "" {
		text.WriteString("\n" + epochLine)
	}
	text.WriteString("\n" + line)
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
		fmt.Fprintf(h, `<progress value="%d" max="%d" style="width:30em;vertical-align:middle"></progress> `, current, v.target)
	}
	fmt.Fprintf(h, "<code>%s</code>", html.EscapeString(line))
	if note != "" {
		fmt.Fprintf(h, " <i>%s</i>", html.EscapeString(note))
	}
	h.WriteString("</div>")
	if v.img != "" {
		fmt.Fprintf(h, `<img alt="training curves" src="data:image/png;base64,%s">`, v.img)
	}
	h.WriteString("</div>")
	v.handle.Show(display.Bundle{Data: map[string]any{
		display.MIMEText: text.String(),
		display.MIMEHTML: h.String(),
	}})
}
