package dl

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// History records the loss and metrics of each epoch of a Fit, as Keras's History
// callback (it is the Callback that Fit adds after the caller's): History["val_accuracy"][i] is the validation accuracy after epoch Epoch[i]+1.
type History struct {
	// Epoch lists the 0-based indices of the completed epochs.
	Epoch []int
	// History maps each key (loss, accuracy, val_loss, val_accuracy, …) to one value per
	// completed epoch.
	History map[string][]float64

	keys  []string
	err   error
	model Network
}

func newHistory() *History { return &History{History: map[string][]float64{}} }

var _ Callback = (*History)(nil)

// SetModel records the model whose metric names order the keys.
func (h *History) SetModel(m Network) { h.model = m }

// OnEpochEnd records the epoch and its logs, keys in the order of LogKeys. A key missing
// from an epoch's logs gets NaN there, so that every key has one value per epoch.
func (h *History) OnEpochEnd(epoch int, logs Logs) {
	for _, k := range LogKeys(h.model, logs) {
		h.addKey(k)
	}
	h.Epoch = append(h.Epoch, epoch)
	for _, k := range h.keys {
		v, ok := logs[k]
		if !ok {
			v = math.NaN()
		}
		h.History[k] = append(h.History[k], v)
	}
}

// addKey adds k to the recorded keys, with NaN for the epochs before.
func (h *History) addKey(k string) {
	if _, ok := h.History[k]; ok {
		return
	}
	h.keys = append(h.keys, k)
	h.History[k] = make([]float64, len(h.Epoch))
	for i := range h.History[k] {
		h.History[k][i] = math.NaN()
	}
}

// OnTrainBegin does nothing: Fit makes a new History each time.
func (h *History) OnTrainBegin(logs Logs) {}

// OnTrainEnd does nothing.
func (h *History) OnTrainEnd(logs Logs) {}

// OnEpochBegin does nothing.
func (h *History) OnEpochBegin(epoch int, logs Logs) {}

// OnBatchBegin does nothing.
func (h *History) OnBatchBegin(batch int, logs Logs) {}

// OnBatchEnd does nothing.
func (h *History) OnBatchEnd(batch int, logs Logs) {}

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

// append records an epoch's ordered log values (for training loops that do not run
// callbacks).
func (h *History) append(epoch int, logs []logValue) {
	l := make(Logs, len(logs))
	for _, v := range logs {
		l[v.name] = v.value
		h.addKey(v.name)
	}
	h.OnEpochEnd(epoch, l)
}
