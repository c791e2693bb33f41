package metrics

import (
	"fmt"

	"godl.dev/godl/dl"
)

// MeanMetric is a running (weighted) mean, as tf.keras.metrics.Mean: UpdateState adds a
// tensor's values (Update one number), Result returns their mean so far, ResetStates starts
// again. Make one with Mean. It is not a dl.Metric: it serves custom training loops.
type MeanMetric struct {
	name       string
	total, cnt float64
}

// Mean returns an empty running mean called name.
func Mean(name string) *MeanMetric { return &MeanMetric{name: name} }

// Name returns the name given to Mean.
func (m *MeanMetric) Name() string { return m.name }

// Update adds the value v (update_state(v)).
func (m *MeanMetric) Update(v float64) { m.total += v; m.cnt++ }

// UpdateWeighted adds v with weight w (update_state(v, sample_weight=w)).
func (m *MeanMetric) UpdateWeighted(v, w float64) { m.total += v * w; m.cnt += w }

// UpdateState adds every element of t, as update_state(values) does: a per-sample loss
// vector adds each sample, a scalar adds one value. The values are read now; no gradient is
// recorded.
func (m *MeanMetric) UpdateState(t *dl.Tensor) {
	for _, v := range t.Float64s() {
		m.total += v
	}
	m.cnt += float64(t.Size())
}

// Result returns the mean of the values added since the last ResetStates, 0 when there are
// none (result()).
func (m *MeanMetric) Result() float64 {
	if m.cnt == 0 {
		return 0
	}
	return m.total / m.cnt
}

// ResetStates forgets every value added (reset_states()).
func (m *MeanMetric) ResetStates() { m.total, m.cnt = 0, 0 }

// String describes the metric, such as <Mean "loss": 0.2378>.
func (m *MeanMetric) String() string { return fmt.Sprintf("<Mean %q: %.4f>", m.name, m.Result()) }
