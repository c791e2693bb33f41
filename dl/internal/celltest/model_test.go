package celltest

import (
	"testing"

	"godl.dev/godl/dl"
)

// modelImports is the first cell of the tests here.
const modelImports = `import (
	"fmt"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
)`

// TestCellSubclassedLeNet5 writes ch3_nb2's class LeNet5(Model) as a cell: a struct whose
// unexported fields hold the layers (one pooling layer called twice) and a Call method,
// wrapped by dl.Subclass. Predict builds it, the summary is the book's text for a fresh
// session, and Fit trains it.
func TestCellSubclassedLeNet5(t *testing.T) {
	dl.ClearSession()
	defer dl.ClearSession()
	got := Run(t,
		modelImports,
		`type LeNet5 struct {
	conv1, conv2, maxPool, flatten, dense1, dense2, dense3 dl.Layer
	calls int
}

func NewLeNet5(numClasses int) *LeNet5 {
	return &LeNet5{
		conv1:   layers.Conv2D(6, 5, layers.Same, layers.ReLU),
		conv2:   layers.Conv2D(16, 5, layers.ReLU),
		maxPool: layers.MaxPooling2D(2),
		flatten: layers.Flatten(),
		dense1:  layers.Dense(120, layers.ReLU),
		dense2:  layers.Dense(84, layers.ReLU),
		dense3:  layers.Dense(numClasses, layers.Softmax),
	}
}

func (m *LeNet5) Call(x *dl.Tensor, training bool) *dl.Tensor {
	m.calls++
	x = m.maxPool.Call(m.conv1.Call(x, training), training)
	x = m.maxPool.Call(m.conv2.Call(x, training), training)
	x = m.flatten.Call(x, training)
	x = m.dense1.Call(x, training)
	x = m.dense2.Call(x, training)
	return m.dense3.Call(x, training)
}`,
		`dl.SetSeed(1)
x := dl.RandomUniform(0, 1, 64, 28, 28, 1)
labels := make([]int, 64)
for k := range labels { labels[k] = k % 2 }
y := dl.FromInts(labels)
net := NewLeNet5(10)
model := dl.Subclass("LeNet5", net)
model.CompileNames("sgd", "sparse_categorical_crossentropy", "accuracy")
p := model.Predict(x.Slice(0, 10))
fmt.Println("predict", p.Shape())
model.Build([]int{-1, 28, 28, 1})
fmt.Print(model.SummaryString())
h := model.Fit(x, y, dl.Epochs(3), dl.BatchSize(16), dl.Verbose(0))
l := h.Get("loss")
fmt.Println("learns", l[2] < l[0], "layers", len(model.Layers()), "trainable", len(model.TrainableWeights()))
fmt.Println("calls", net.calls)`,
	)
	want := `Model: "le_net5"
_________________________________________________________________
Layer (type)                 Output Shape              Param #   
=================================================================
conv2d (Conv2D)              multiple                  156       
_________________________________________________________________
conv2d_1 (Conv2D)            multiple                  2416      
_________________________________________________________________
max_pooling2d (MaxPooling2D) multiple                  0         
_________________________________________________________________
flatten (Flatten)            multiple                  0         
_________________________________________________________________
dense (Dense)                multiple                  48120     
_________________________________________________________________
dense_1 (Dense)              multiple                  10164     
_________________________________________________________________
dense_2 (Dense)              multiple                  850       
=================================================================
Total params: 61,706
Trainable params: 61,706
Non-trainable params: 0
_________________________________________________________________
`
	// Call ran to build, to predict, and in the first training step, which traced it: the
	// other eleven steps ran the traced graph.
	WantLines(t, got, "predict [10 10]\n", want, "learns true layers 7 trainable 10\n", "calls 3\n")
}

// TestCellFunctionalModel builds a functional model in cells, with a layer type declared
// in a cell and called at two nodes (shared), then trains it and grafts a head on it.
func TestCellFunctionalModel(t *testing.T) {
	dl.ClearSession()
	defer dl.ClearSession()
	got := Run(t,
		modelImports,
		`type Scale struct{ f float32 }

func (s *Scale) Name() string                                 { return "scale" }
func (s *Scale) ClassName() string                            { return "Scale" }
func (s *Scale) Build(shape []int)                            {}
func (s *Scale) Call(x *dl.Tensor, training bool) *dl.Tensor { return x.MulScalar(float64(s.f)) }
func (s *Scale) OutputShape(shape []int) []int                { return shape }
func (s *Scale) Weights() []*dl.Tensor                        { return nil }`,
		`dl.SetSeed(2)
x := dl.RandomUniform(-1, 1, 48, 4)
labels := make([]int, 48)
for k := range labels { labels[k] = k % 2 }
y := dl.FromInts(labels)
s := &Scale{f: 0.5}
in := dl.Input(4)
h := dl.Apply(s, dl.Apply(layers.Dense(8, layers.ReLU), in))
feat := dl.Apply(layers.Dense(4, layers.ReLU, layers.Name("features")), dl.Apply(s, h))
out := dl.Apply(layers.Dense(2, layers.Softmax), feat)
m := dl.NewModel([]*dl.Tensor{in}, []*dl.Tensor{out})
m.CompileNames("adam", "sparse_categorical_crossentropy", "accuracy")
hist := m.Fit(x, y, dl.Epochs(4), dl.Verbose(0))
l := hist.Get("loss")
names := ""
for _, l := range m.Layers() { names += l.Name() + " " }
fmt.Println("layers", names)
fmt.Println("learns", l[3] < l[0])
head := dl.Apply(layers.Dense(3, layers.Softmax), dl.LayerOutput(m.GetLayer("features")))
g := dl.NewModel(m.Inputs(), []*dl.Tensor{head})
fmt.Println("shared", g.GetLayer("features") == m.GetLayer("features"), g.Predict(x).Shape())
r := dl.Apply(layers.Add(), feat, dl.Apply(layers.Dense(4), in))
res := dl.NewModel([]*dl.Tensor{in}, []*dl.Tensor{r}, "residual")
fmt.Println("residual", res.Output().Shape(), len(res.Layers()))`,
	)
	WantLines(t, got,
		"layers input_1 dense scale features dense_1 \n",
		"learns true\n",
		"shared true [48 3]\n",
		"residual [-1 4] 6\n",
	)
}

// TestCellSubclassWithCellLayer: a subclassed model whose fields hold a layer type declared
// in a cell (with a weight, built on its first call) next to a built-in one: both are found,
// their weights train, and the cell layer's extra loss reaches Losses and Fit.
func TestCellSubclassWithCellLayer(t *testing.T) {
	dl.ClearSession()
	defer dl.ClearSession()
	got := Run(t,
		modelImports,
		`type Gain struct{ w *dl.Tensor }

func (g *Gain) Name() string      { return "gain" }
func (g *Gain) ClassName() string { return "Gain" }
func (g *Gain) Build(shape []int) {
	if g.w == nil {
		g.w = dl.Variable(dl.Ones(1), "gain/w")
	}
}
func (g *Gain) Call(x *dl.Tensor, training bool) *dl.Tensor {
	g.Build(x.Shape())
	return x.Mul(g.w)
}
func (g *Gain) OutputShape(shape []int) []int { return shape }
func (g *Gain) Weights() []*dl.Tensor {
	if g.w == nil {
		return nil
	}
	return []*dl.Tensor{g.w}
}
func (g *Gain) Losses() []*dl.Tensor { return []*dl.Tensor{g.w.Mul(g.w).Sum()} }

type Net struct {
	dense dl.Layer
	gain  dl.Layer
}

func (n *Net) Call(x *dl.Tensor, training bool) *dl.Tensor {
	return n.gain.Call(n.dense.Call(x, training), training)
}`,
		`dl.SetSeed(3)
net := &Net{dense: layers.Dense(2, layers.Softmax), gain: &Gain{}}
m := dl.Subclass("Net", net)
m.Build([]int{-1, 4})
fmt.Println("layers", len(m.Layers()), "trainable", len(m.TrainableWeights()), "losses", len(m.Losses()))
x := dl.RandomUniform(-1, 1, 32, 4)
m.CompileNames("sgd", "mse")
penalty := func() float64 {
	sum := 0.0
	for _, l := range m.Losses() {
		sum += l.Item()
	}
	return sum
}
before := penalty()
m.Fit(x, dl.RandomUniform(0, 1, 32, 2), dl.Epochs(2), dl.Verbose(0))
fmt.Println("penalty shrinks", penalty() < before)`,
	)
	WantLines(t, got, "layers 2 trainable 3 losses 1\n", "penalty shrinks true\n")
}
