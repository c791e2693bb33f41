package celltest

import (
	"regexp"
	"strconv"
	"testing"

	"godl.dev/godl/dl"
)

// TestCellCh3Nb4ManualLoop runs the custom training loop of the book's ch3_nb4 (cells 5-22)
// as cells, on the first 200 MNIST training images for 3 epochs: the subclassed LeNet-5
// whose VALID convolutions are ConvWithRegularizers (L2 penalties added with AddLoss), a
// GradientTape step on the per-sample loss vector plus the layers' losses, two running
// Means, the functional accuracy on test images, and the book's log line. The main loss
// must fall, and the model must have the book's 44,426 parameters.
func TestCellCh3Nb4ManualLoop(t *testing.T) {
	dl.ClearSession()
	defer dl.ClearSession()
	cells := append(append([]string(nil), bookLayers...),
		`import (
	"godl.dev/godl/dl/data"
	"godl.dev/godl/dl/datasets"
)`,
		`train, test := datasets.MNIST()
xTrain, yTrain := train.X.Slice(0, 200).DivScalar(255).Reshape(-1, 28, 28, 1), train.Y.Slice(0, 200)
xTest, yTest := test.X.Slice(0, 1000).DivScalar(255).Reshape(-1, 28, 28, 1), test.Y.Slice(0, 1000)
fmt.Println("Training data:", xTrain.Shape())
fmt.Println("Testing data:", xTest.Shape())`,
		// The book's LeNet5(Model) of cell 21: VALID convolutions with L2 penalties, one
		// pooling layer called twice, Flatten and three Dense layers.
		`type LeNet5 struct {
	conv1, conv2, maxPool, flatten, dense1, dense2, dense3 dl.Layer
}

func NewLeNet5(numClasses int, kernelReg, biasReg func(x *dl.Tensor) *dl.Tensor) *dl.Model {
	return dl.Subclass("LeNet5", &LeNet5{
		conv1:   NewConvWithRegularizers(6, [2]int{5, 5}, 1, kernelReg, biasReg),
		conv2:   NewConvWithRegularizers(16, [2]int{5, 5}, 1, kernelReg, biasReg),
		maxPool: layers.MaxPooling2D(2),
		flatten: layers.Flatten(),
		dense1:  layers.Dense(120, layers.ReLU),
		dense2:  layers.Dense(84, layers.ReLU),
		dense3:  layers.Dense(numClasses, layers.Softmax),
	})
}

func (m *LeNet5) Call(x *dl.Tensor, training bool) *dl.Tensor {
	x = m.maxPool.Call(m.conv1.Call(x, training), training)
	x = m.maxPool.Call(m.conv2.Call(x, training), training)
	x = m.flatten.Call(x, training)
	return m.dense3.Call(m.dense2.Call(m.dense1.Call(x, training), training), training)
}`,
		`dl.SetSeed(42)
optimizer := optimizers.SGD()
dataset := data.FromTensorSlices(xTrain, yTrain).Batch(32, false)`,
		`func trainClassifierOnMNIST(model *dl.Model, epochs, logFrequency int) {
	trainMainLoss := metrics.Mean("train_main_loss")
	trainRegLoss := metrics.Mean("train_reg_loss")
	fmt.Println("Training: start")
	for epoch := 0; epoch < epochs; epoch++ {
		it := dataset.Iterate()
		for {
			x, y, ok := it.Next()
			if !ok {
				break
			}
			tape := dl.NewGradientTape()
			preds := model.Call(x, true)
			mainLoss := losses.SparseCategoricalCrossentropyOf(y, preds)
			regLoss := dl.AddN(model.Losses())
			loss := mainLoss.Add(regLoss)
			vars := model.TrainableWeights()
			grads := tape.Gradient(loss, vars)
			optimizer.ApplyGradients(grads, vars)
			trainMainLoss.UpdateState(mainLoss)
			trainRegLoss.UpdateState(regLoss)
		}
		it.Close()
		if epoch%logFrequency == 0 || epoch == epochs-1 {
			var acc float64
			dl.NoGrad(func() {
				acc = metrics.SparseCategoricalAccuracyOf(yTest, model.Call(xTest, false)).Mean().Item() * 100
			})
			fmt.Printf("Epoch %3d/%d: main loss = %5.3f; reg loss = %5.3f; val acc = %5.3f%%\n",
				epoch, epochs, trainMainLoss.Result(), trainRegLoss.Result(), acc)
		}
		trainMainLoss.ResetStates()
		trainRegLoss.ResetStates()
	}
	fmt.Println("Training: end")
}`,
		`model := NewLeNet5(10, l2Reg(1e-2), l2Reg(1e-2))
model.Build([]int{-1, 28, 28, 1})
fmt.Println("params", model.CountParams(), "losses", len(model.Losses()))
trainClassifierOnMNIST(model, 3, 1)`,
	)
	got := Run(t, cells...)
	WantLines(t, got,
		"Training data: [200 28 28 1]\n",
		"Testing data: [1000 28 28 1]\n",
		"params 44426 losses 4\n",
		"Training: start\n",
		"Training: end\n",
	)
	line := regexp.MustCompile(`Epoch +(\d+)/3: main loss = (\d\.\d{3}); reg loss = (\d\.\d{3}); val acc = (\d+\.\d{3})%\n`)
	m := line.FindAllStringSubmatch(got, -1)
	if len(m) != 3 {
		t.Fatalf("want 3 epoch lines in the book's format, got %d:\n%s", len(m), got)
	}
	num := func(s string) float64 { v, _ := strconv.ParseFloat(s, 64); return v }
	first, last := num(m[0][2]), num(m[2][2])
	// The first epoch's loss is that of a 10-class guess, about ln 10; the reg loss of
	// l2(1e-2) on the fresh weights is about 0.1, as the book's 0.106.
	if first < 1.9 || first > 2.5 || last >= first {
		t.Errorf("main loss %v then %v: want about 2.3, then lower\n%s", first, last, got)
	}
	if r := num(m[0][3]); r < 0.03 || r > 0.3 {
		t.Errorf("reg loss %v, want about 0.1\n%s", r, got)
	}
	if m[0][1] != "0" || m[2][1] != "2" {
		t.Errorf("epochs logged %s..%s, want 0..2", m[0][1], m[2][1])
	}
	t.Logf("%s", got)
}
