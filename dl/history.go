package dl

import (
	"fmt"
	"html"
	"strings"
)

// History records the loss and metrics of each epoch of a Fit, as Keras's History
// callback: History["val_accuracy"][i] is the validation accuracy after epoch Epoch[i]+1.
type History struct {
	// Epoch lists the 0-based indices of the completed epochs.
	Epoch []int
	// History maps each key (loss, accuracy, val_loss, val_accuracy, …) to one value per
	// completed epoch.
	History map[string][]float64

	keys []string
	err  error
}

func newHistory() *History { return &History{History: map[string][]float64{}} }

func (h *History) append(epoch int, logs []logValue) {
	h.Epoch = append(h.Epoch, epoch)
	for _, l := range logs {
		if _, ok := h.History[l.name]; !ok {
			h.keys = append(h.keys, l.name)
		}
		h.History[l.name] = append(h.History[l.name], l.value)
	}
}

// Keys returns the recorded keys in the order Keras logs them: loss, the metrics, then the
// validation values.
func (h *History) Keys() []string { return append([]string(nil), h.keys...) }

// Get returns the values recorded under key, one per epoch (nil if none).
func (h *History) Get(key string) []float64 { return h.History[key] }

// Last returns the value of key after the last completed epoch; it panics if there is none.
func (h *History) Last(key string) float64 {
	v := h.History[key]
	if len(v) == 0 {
		panicf("History.Last", nil, "no value recorded for %q (keys: %s)", key, strings.Join(h.keys, ", "))
	}
	return v[len(v)-1]
}

// Err returns interrupt.ErrInterrupted when Fit stopped early because the user interrupted
// it, and nil when every epoch ran.
func (h *History) Err() error { return h.err }

// String formats the history as a table, one row per epoch.
func (h *History) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "History: %d epochs", len(h.Epoch))
	if h.err != nil {
		fmt.Fprintf(&b, " (stopped: %v)", h.err)
	}
	if len(h.Epoch) == 0 {
		return b.String()
	}
	b.WriteString("\nepoch")
	for _, k := range h.keys {
		fmt.Fprintf(&b, "  %*s", max(len(k), 7), k)
	}
	for i, e := range h.Epoch {
		fmt.Fprintf(&b, "\n%5d", e+1)
		for _, k := range h.keys {
			fmt.Fprintf(&b, "  %*.4f", max(len(k), 7), h.History[k][i])
		}
	}
	return b.String()
}

// HTML formats the history as an HTML table, one row per epoch: the rich form a notebook
// shows for a History (display.HTMLer).
func (h *History) HTML() string {
	var b strings.Builder
	b.WriteString("<table>\n<tr><th>epoch</th>")
	for _, k := range h.keys {
		fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(k))
	}
	b.WriteString("</tr>\n")
	for i, e := range h.Epoch {
		fmt.Fprintf(&b, "<tr><td>%d</td>", e+1)
		for _, k := range h.keys {
			fmt.Fprintf(&b, "<td>%.4f</td>", h.History[k][i])
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</table>")
	if h.err != nil {
		fmt.Fprintf(&b, "\n<p>stopped: %s</p>", html.EscapeString(h.err.Error()))
	}
	return b.String()
}
