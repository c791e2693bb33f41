package plots_test

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"godl.dev/godl/plots"
)

// A training history as Keras's History.history (and dl's) holds it draws as a loss panel
// and an accuracy panel.
func ExampleHistory() {
	history := map[string][]float64{
		"loss":         {0.60, 0.32, 0.25, 0.21},
		"accuracy":     {0.84, 0.91, 0.93, 0.94},
		"val_loss":     {0.35, 0.28, 0.24, 0.22},
		"val_accuracy": {0.90, 0.92, 0.93, 0.94},
	}
	fig, err := plots.History(history, plots.Title("MNIST, 4 epochs"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(fig) // in a notebook, the figure as a cell's last value shows the PNG
	w, h := fig.Size()
	fmt.Println(len(fig.PNG()) > 0, w, h)
	// Output:
	// <Figure size 891x300 with 2 Axes>
	// true 891 300
}

// The book's optimizer comparison: a panel per metric, a line per run.
func ExampleCompare() {
	sgd := map[string][]float64{"loss": {2.0, 1.1, 0.7}, "val_loss": {1.5, 0.9, 0.6}}
	adam := map[string][]float64{"loss": {0.9, 0.3, 0.2}, "val_loss": {0.4, 0.25, 0.2}}
	fig, err := plots.Compare([]string{"sgd", "adam"}, []map[string][]float64{sgd, adam})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "plots")
	defer os.RemoveAll(dir)
	fmt.Println(fig, fig.Save(filepath.Join(dir, "optimizers.svg")))
	// Output:
	// <Figure size 869x300 with 2 Axes> <nil>
}

// A diverging run's NaN loss is drawn, not rejected: the curve stops and the panel title
// says where: "loss (loss NaN from epoch 3)".
func ExampleHistory_nan() {
	fig, err := plots.History(map[string][]float64{"loss": {2.3, 8.1, math.NaN(), math.NaN()}})
	fmt.Println(fig, err)
	// Output:
	// <Figure size 481x300 with 1 Axes> <nil>
}

// Sample images titled with predictions; wrong ones get a red "predicted (true)" title.
func ExampleImageGridUint8() {
	const n, h, w = 4, 28, 28
	pix := make([]uint8, n*h*w) // e.g. datasets' MNIST test images
	fig, err := plots.ImageGridUint8(pix, n, h, w, 1,
		plots.Labels([]int{7, 2, 1, 0}), plots.Predictions([]int{7, 2, 1, 6}))
	fmt.Println(fig, err)
	_, err = plots.ImageGridUint8(pix, n, h, w+1, 1)
	fmt.Println(errors.Is(err, plots.ErrShape))
	// Output:
	// <Figure size 192x224 with 1 Axes> <nil>
	// true
}

func ExampleConfusionMatrix() {
	labels := []int{0, 1, 2, 2, 1}
	preds := []int{0, 2, 2, 2, 1}
	fig, err := plots.ConfusionMatrix(labels, preds, 3, plots.ClassNames([]string{"cat", "dog", "bird"}))
	fmt.Println(fig, err)
	// Output:
	// <Figure size 306x316 with 1 Axes> <nil>
}

// The book's display_predictions: each image beside the bars of its five most probable
// classes; with Labels the true class's bar is green and a wrong top class red.
func ExamplePredictionGrid() {
	const n, h, w, classes = 2, 32, 32, 10
	pix := make([]float32, n*h*w*3) // two RGB images in [0, 1]
	probs := make([]float32, n*classes)
	probs[3], probs[5], probs[1] = 0.8, 0.15, 0.05 // image 0: class 3
	probs[classes+7], probs[classes+2] = 0.6, 0.4  // image 1: class 7, truly 2
	fig, err := plots.PredictionGrid(pix, n, h, w, 3, probs, classes, plots.Labels([]int{3, 2}))
	fmt.Println(fig, err)
	// Output:
	// <Figure size 600x120 with 4 Axes> <nil>
}

// plt.imshow of a convolution output: a grey image of any range is scaled from its
// minimum (black) to its maximum (white).
func ExampleImage() {
	const h, w = 34, 30
	edges := make([]float32, h*w)
	for i := range edges {
		edges[i] = float32(i%w) - 15 // negative and positive responses
	}
	fig, err := plots.Image(edges, h, w, 1, plots.Title("edges"))
	fmt.Println(fig, err)
	// Output:
	// <Figure size 200x252 with 1 Axes> <nil>
}

// A first convolution layer's kernels in Keras's layout (kh, kw, cin, cout), and one
// image's feature maps (h, w, c).
func ExampleKernels() {
	kernel := make([]float32, 5*5*1*6)
	for i := range kernel {
		kernel[i] = float32(math.Sin(float64(i)))
	}
	fig, err := plots.Kernels(kernel, 5, 5, 1, 6)
	fmt.Println(fig, err)
	maps, err := plots.FeatureMaps(make([]float32, 24*24*6), 24, 24, 6)
	fmt.Println(maps, err)
	// Output:
	// <Figure size 288x224 with 6 Axes> <nil>
	// <Figure size 288x224 with 6 Axes> <nil>
}
