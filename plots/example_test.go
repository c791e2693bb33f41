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
