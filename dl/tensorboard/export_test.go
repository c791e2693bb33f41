package tensorboard

import (
	"math"
	"os"
	"testing"
)

// The tests of the TensorBoard callback (callback_test.go, package tensorboard_test) read
// event files with this package's test reader (writer_test.go), which shares no code with
// the writer; ReadEventFile extends it to events of several values.

// Value is one Summary.Value read back by the test reader.
type Value struct {
	Step   int64
	Tag    string
	Kind   string     // "scalar", "histo", "text" or "image"
	Scalar float64    // simple_value
	Histo  [4]float64 // min, max, num and sum of a histogram
	Text   string     // a text summary's string
}

// ReadEventFile reads the event file at path: its records, whose framing and CRCs are
// checked, and the values of the events after the file-version one (checked too).
func ReadEventFile(t *testing.T, path string) (records [][]byte, values []Value) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	records = readRecords(t, data)
	if len(records) == 0 {
		t.Fatalf("%s: no records", path)
	}
	if v := string(one(t, fields(t, records[0]), 3, 2).b); v != "brain.Event:2" {
		t.Errorf("%s: file version %q, want brain.Event:2", path, v)
	}
	for _, rec := range records[1:] {
		ev := fields(t, rec)
		if wt := math.Float64frombits(one(t, ev, 1, 1).u); wt < 1e9 {
			t.Errorf("%s: wall time %v", path, wt)
		}
		var step int64
		if s := ev[2]; len(s) > 0 {
			step = int64(s[0].u)
		}
		for _, sv := range fields(t, one(t, ev, 5, 2).b)[1] {
			f := fields(t, sv.b)
			v := Value{Step: step, Tag: string(one(t, f, 1, 2).b)}
			switch {
			case len(f[2]) > 0:
				v.Kind, v.Scalar = "scalar", float64(math.Float32frombits(uint32(one(t, f, 2, 5).u)))
			case len(f[4]) > 0:
				v.Kind = "image"
			case len(f[5]) > 0:
				h := fields(t, one(t, f, 5, 2).b)
				v.Kind = "histo"
				for i := range v.Histo {
					v.Histo[i] = math.Float64frombits(one(t, h, i+1, 1).u)
				}
			case len(f[8]) > 0:
				v.Kind, v.Text = "text", string(one(t, fields(t, one(t, f, 8, 2).b), 8, 2).b)
			default:
				t.Fatalf("%s: value %q of no known kind", path, v.Tag)
			}
			values = append(values, v)
		}
	}
	return records, values
}
