package tensorboard_test

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/callbacks"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
	"godl.dev/godl/dl/tensorboard"
)

// The tests of dl/callbacks' TensorBoard callback live here, where the package's test
// reader (writer_test.go, independent of the writer) can read the files back.

// model returns a compiled one-layer model for 4 inputs.
func model() *dl.Sequential {
	m := dl.NewSequential(layers.Dense(2, layers.Softmax, layers.InputShape(4)))
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	return m
}

// readRun reads the only event file in dir: its path, its records and its values.
func readRun(t *testing.T, dir string) (path string, recs [][]byte, vals []tensorboard.Value) {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	if len(files) != 1 {
		t.Fatalf("%s holds %d event files, want 1: %v", dir, len(files), files)
	}
	recs, vals = tensorboard.ReadEventFile(t, files[0])
	return files[0], recs, vals
}

// scalars returns the values of tag by step.
func scalars(vals []tensorboard.Value, tag string) []float64 {
	var out []float64
	for _, v := range vals {
		if v.Kind == "scalar" && v.Tag == tag {
			for int64(len(out)) <= v.Step {
				out = append(out, math.NaN())
			}
			out[v.Step] = v.Scalar
		}
	}
	return out
}

func TestTensorBoardWritesKerasRuns(t *testing.T) {
	dl.SetSeed(3)
	x := dl.RandomNormal(0, 1, 64, 4)
	labels := make([]int, 64)
	for i := range labels {
		if x.At(i, 0) > 0 {
			labels[i] = 1
		}
	}
	y := dl.FromInts(labels, 64)
	m := model()
	dir := filepath.Join(t.TempDir(), "logs")
	tb := callbacks.TensorBoard(dir)
	tb.HistogramFreq = 2
	h := m.Fit(x, y, dl.Epochs(3), dl.BatchSize(16), dl.Verbose(0),
		dl.ValidationData(x.Slice(0, 16), y.Slice(0, 16)), dl.WithCallback(tb))
	if tb.Err != nil {
		t.Fatal(tb.Err)
	}
	first, recs, train := readRun(t, filepath.Join(dir, "train"))
	_, _, val := readRun(t, filepath.Join(dir, "validation"))
	for _, tc := range []struct {
		vals []tensorboard.Value
		tag  string
		want []float64
	}{
		{train, "epoch_loss", h.Get("loss")},
		{train, "epoch_accuracy", h.Get("accuracy")},
		{val, "epoch_loss", h.Get("val_loss")},
		{val, "epoch_accuracy", h.Get("val_accuracy")},
	} {
		got := scalars(tc.vals, tc.tag)
		if len(got) != 3 || len(tc.want) != 3 {
			t.Fatalf("%s: %d steps logged, history has %d epochs; want 3", tc.tag, len(got), len(tc.want))
		}
		for i := range got {
			if got[i] != float64(float32(tc.want[i])) {
				t.Errorf("%s at step %d = %v, want %v", tc.tag, i, got[i], tc.want[i])
			}
		}
	}
	for _, v := range val {
		if strings.HasPrefix(v.Tag, "epoch_val_") || v.Kind != "scalar" {
			t.Errorf("validation file holds %s %q", v.Kind, v.Tag)
		}
	}
	// Histograms at epochs 0 and 2; the last one is of the final weights.
	histos := map[string][]int64{}
	var summary string
	dense := m.Layers()[0] // named dense, or dense_n after other tests' models
	for _, v := range train {
		switch v.Kind {
		case "histo":
			histos[v.Tag] = append(histos[v.Tag], v.Step)
			if v.Step == 2 {
				w := dense.Weights()[0]
				if v.Tag == dense.Name()+"/bias_0" {
					w = dense.Weights()[1]
				}
				lo, hi, sum := math.Inf(1), math.Inf(-1), 0.0
				for _, f := range w.Float32s() {
					lo, hi, sum = math.Min(lo, float64(f)), math.Max(hi, float64(f)), sum+float64(f)
				}
				if v.Histo != [4]float64{lo, hi, float64(w.Size()), sum} {
					t.Errorf("%s at epoch 2: min, max, num, sum = %v, want %v", v.Tag, v.Histo, [4]float64{lo, hi, float64(w.Size()), sum})
				}
			}
		case "text":
			summary = v.Text
		}
	}
	var tags []string
	for tag, steps := range histos {
		tags = append(tags, tag)
		if len(steps) != 2 || steps[0] != 0 || steps[1] != 2 {
			t.Errorf("histogram %s at steps %v, want [0 2]", tag, steps)
		}
	}
	sort.Strings(tags)
	if want := dense.Name() + "/bias_0 " + dense.Name() + "/kernel_0"; strings.Join(tags, " ") != want {
		t.Errorf("histogram tags %v, want %s", tags, want)
	}
	if !strings.Contains(summary, "Total params: 10") {
		t.Errorf("model summary text %q lacks the parameter count", summary)
	}
	// protoc, where installed, decodes every Event with its own parser against the
	// schema of TensorFlow's messages: no field may be unknown or of another type.
	if protoc, err := exec.LookPath("protoc"); err == nil {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "event.proto"), []byte(eventProto), 0o644); err != nil {
			t.Fatal(err)
		}
		var all strings.Builder
		for i, rec := range recs {
			cmd := exec.Command(protoc, "--proto_path="+dir, "--decode=tensorflow.Event", "event.proto")
			cmd.Stdin = strings.NewReader(string(rec))
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("protoc --decode of record %d: %v\n%s", i, err, out)
			}
			if m := regexp.MustCompile(`(?m)^\s*\d+:`).Find(out); m != nil {
				t.Errorf("record %d has a field unknown to the schema:\n%s", i, out)
			}
			all.Write(out)
		}
		text := all.String()
		for _, want := range []string{`file_version: "brain.Event:2"`, `tag: "epoch_loss"`, `tag: "` + dense.Name() + `/kernel_0"`,
			"simple_value: ", "histo {", "bucket_limit: ", `plugin_name: "text"`} {
			if !strings.Contains(text, want) {
				t.Errorf("protoc's decoding lacks %q", want)
			}
		}
	}

	// A second run with the same callback: new files, batch scalars every 3 steps.
	tb.UpdateFreq = 3
	tb.HistogramFreq = 0
	m.Fit(x, y, dl.Epochs(2), dl.BatchSize(16), dl.Verbose(0), dl.WithCallback(tb))
	if tb.Err != nil {
		t.Fatal(tb.Err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "train", "events.out.tfevents.*"))
	if len(files) != 2 {
		t.Fatalf("two runs left %d train files, want 2", len(files))
	}
	second := files[0]
	if second == first {
		second = files[1]
	}
	_, run2 := tensorboard.ReadEventFile(t, second)
	var steps []int64
	for _, v := range run2 {
		if v.Tag == "batch_loss" {
			steps = append(steps, v.Step)
		}
	}
	// 2 epochs of 4 steps: steps 3 and 6.
	if len(steps) != 2 || steps[0] != 3 || steps[1] != 6 {
		t.Errorf("batch_loss at steps %v, want [3 6]", steps)
	}
	if got := scalars(run2, "epoch_loss"); len(got) != 2 {
		t.Errorf("second run logged epoch_loss for %d epochs, want 2", len(got))
	}
}

// eventProto is the part of TensorFlow's event.proto, summary.proto, histogram.proto and
// tensor.proto that the callback writes, for protoc to decode with.
const eventProto = `syntax = "proto3";
package tensorflow;
message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
  }
}
message Summary {
  message Image {
    int32 height = 1;
    int32 width = 2;
    int32 colorspace = 3;
    bytes encoded_image_string = 4;
  }
  message Value {
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      Image image = 4;
      HistogramProto histo = 5;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}
message SummaryMetadata {
  message PluginData {
    string plugin_name = 1;
    bytes content = 2;
  }
  PluginData plugin_data = 1;
}
message HistogramProto {
  double min = 1;
  double max = 2;
  double num = 3;
  double sum = 4;
  double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true];
  repeated double bucket = 7 [packed = true];
}
message TensorShapeProto {
  message Dim {
    int64 size = 1;
    string name = 2;
  }
  repeated Dim dim = 2;
}
message TensorProto {
  int32 dtype = 1;
  TensorShapeProto tensor_shape = 2;
  repeated bytes string_val = 8;
}
`

// TestTensorBoardFunctionalModel: a functional model's weights are logged too.
func TestTensorBoardFunctionalModel(t *testing.T) {
	in := dl.Input(4)
	dense := layers.Dense(2, layers.Softmax)
	m := dl.NewModel([]*dl.Tensor{in}, []*dl.Tensor{dl.Apply(dense, in)})
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	dir := t.TempDir()
	tb := callbacks.TensorBoard(dir)
	tb.HistogramFreq = 1
	m.Fit(dl.RandomUniform(0, 1, 8, 4), dl.FromInts(make([]int, 8)), dl.Verbose(0), dl.WithCallback(tb))
	if tb.Err != nil {
		t.Fatal(tb.Err)
	}
	_, _, vals := readRun(t, filepath.Join(dir, "train"))
	var tags []string
	summary := ""
	for _, v := range vals {
		switch v.Kind {
		case "histo":
			tags = append(tags, v.Tag)
		case "text":
			summary = v.Text
		}
	}
	sort.Strings(tags)
	if want := dense.Name() + "/bias_0 " + dense.Name() + "/kernel_0"; strings.Join(tags, " ") != want {
		t.Errorf("histograms %v, want %s", tags, want)
	}
	if !strings.Contains(summary, "InputLayer") {
		t.Errorf("summary text %q is not the functional model's", summary)
	}
}
