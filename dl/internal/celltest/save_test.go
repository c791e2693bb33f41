package celltest

import (
	"path/filepath"
	"strconv"
	"testing"
)

// scaleLayer is a custom layer written in a cell with dl.LayerBase: one trainable weight
// per feature, and a Config from which the constructor registered with dl.RegisterLayer
// rebuilds it.
const scaleLayer = `type Scale struct {
	dl.LayerBase
	init float64
	w    *dl.Tensor
}

func NewScale(init float64) *Scale {
	l := &Scale{init: init}
	l.Init(l, "Scale")
	return l
}

func (l *Scale) Build(inputShape []int) {
	l.w = l.AddWeight("w", inputShape[len(inputShape)-1:], layers.Constant(l.init), true)
}

func (l *Scale) Call(x *dl.Tensor, training bool) *dl.Tensor {
	l.BuildOnce(x.Shape())
	return x.Mul(l.w)
}

func (l *Scale) OutputShape(inputShape []int) []int { return inputShape }

func (l *Scale) Config() map[string]any {
	cfg := l.LayerBase.Config()
	cfg["init"] = l.init
	return cfg
}`

// TestCellsSaveAndLoad saves and loads models from cells: a ModelCheckpoint with the
// book's file name template, a whole model saved and loaded back, a layer type declared in
// a cell (with Config, registered with dl.RegisterLayer) inside a saved model, and a
// loaded model frozen under a new head.
func TestCellsSaveAndLoad(t *testing.T) {
	dir := t.TempDir()
	out := Run(t, []string{
		`import (
	"fmt"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/callbacks"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)`,
		scaleLayer,
		`dir := ` + strconv.Quote(dir),
		`dl.SetSeed(2)
x := dl.RandomUniform(0, 1, 40, 8, 8, 1)
labels := make([]int, 40)
for i := range labels {
	labels[i] = i % 3
}
y := dl.FromInts(labels, 40)`,
		`model := dl.NewSequential()
model.Add(layers.Flatten())
model.Add(NewScale(0.5).Layer())
model.Add(layers.Dense(3, layers.Softmax))
model.Compile(optimizers.Adam(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)`,
		`ck := callbacks.ModelCheckpoint(dir + "/weights-epoch{epoch:02d}-loss{val_loss:.2f}.godl")
ck.Period = 2
ck.SaveWeightsOnly = true
h := model.Fit(x, y, dl.Epochs(4), dl.Verbose(0), dl.ValidationData(x, y), dl.WithCallback(ck))
fmt.Println("checkpoints", len(ck.Saved))`,
		`dl.RegisterLayer("Scale", func(cfg map[string]any) (dl.Layer, error) {
	return NewScale(cfg["init"].(float64)).Layer(), nil
})`,
		`err := model.Save(dir + "/model.godl")
fmt.Println("save error:", err)`,
		`loaded, err := dl.LoadSequential(dir + "/model.godl")
fmt.Println("load error:", err)
same := true
for i, w := range model.Weights() {
	a, b := w.Data(), loaded.Weights()[i].Data()
	for j := range a {
		same = same && a[j] == b[j]
	}
}
fmt.Println("same weights:", same, loaded.Layers()[1].ClassName(), len(loaded.Weights()))`,
		`p1, p2 := model.Predict(x), loaded.Predict(x)
fmt.Println("same predictions:", p1.Sub(p2).Abs().Max() == 0)`,
		`base, err := dl.LoadFrozen(dir + "/model.godl")
fmt.Println("frozen:", err, len(base.TrainableWeights()))
grafted := dl.NewSequential()
grafted.Add(base)
grafted.Add(layers.Dense(3, layers.Softmax))
grafted.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy)
grafted.Fit(x, y, dl.Epochs(2), dl.Verbose(0))
fmt.Println("base unchanged:", base.(*dl.Sequential).Predict(x).Sub(p2).Abs().Max() == 0)`,
	}...)
	WantLines(t, out, "checkpoints 2", "save error: <nil>", "load error: <nil>",
		"same weights: true Scale 3", "same predictions: true", "frozen: <nil> 0", "base unchanged: true")
	files, _ := filepath.Glob(filepath.Join(dir, "weights-epoch0[24]-loss*.godl"))
	if len(files) != 2 {
		t.Fatalf("checkpoint files: %v", files)
	}
}
