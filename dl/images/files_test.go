package images

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"godl.dev/godl/dl"
)

func TestSaveDecode(t *testing.T) {
	dir := t.TempDir()
	grey := dl.FromUint8([]uint8{0, 50, 100, 150, 200, 255}, 2, 3, 1)
	rgb := dl.FromUint8([]uint8{255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30}, 2, 2, 3)
	tests := []struct {
		desc     string
		img      *dl.Tensor
		file     string
		channels int
		want     []uint8
		shape    []int
	}{
		{"grey PNG", grey, "g.png", 0, grey.Uint8s(), []int{2, 3, 1}},
		{"RGB PNG", rgb, "c.png", 0, rgb.Uint8s(), []int{2, 2, 3}},
		{"grey PNG as RGB", grey, "g3.png", 3, []uint8{0, 0, 0, 50, 50, 50, 100, 100, 100, 150, 150, 150, 200, 200, 200, 255, 255, 255}, []int{2, 3, 3}},
		// float32 in [0, 1] is scaled by 255 and rounded: 0.5 → 128.
		{"float PNG", dl.FromFloat64([]float64{0, 0.5, 1}, 1, 3, 1), "f.png", 1, []uint8{0, 128, 255}, []int{1, 3, 1}},
	}
	for _, tc := range tests {
		path := filepath.Join(dir, tc.file)
		if err := Save(path, tc.img); err != nil {
			t.Fatalf("%s: %v", tc.desc, err)
		}
		got, err := Decode(path, tc.channels)
		if err != nil || !got.HasShape(tc.shape...) || string(got.Uint8s()) != string(tc.want) {
			t.Errorf("%s: %v %v, want %v %v", tc.desc, got, err, tc.shape, tc.want)
		}
	}
	// JPEG is lossy: a flat grey image comes back within a few levels.
	flat := dl.FromUint8([]uint8{90, 90, 90, 90, 90, 90, 90, 90, 90}, 3, 3, 1)
	path := filepath.Join(dir, "j.JPEG")
	if err := Save(path, flat); err != nil {
		t.Fatal(err)
	}
	got, err := Decode(path, 0)
	if err != nil || !got.HasShape(3, 3, 1) || got.Max() > 93 || got.Min() < 87 {
		t.Errorf("JPEG: %v %v", got, err)
	}
	os.WriteFile(filepath.Join(dir, "bad.png"), []byte("\x89PNG\r\n\x1a\nnot really"), 0o644)
	if _, err := Decode(filepath.Join(dir, "bad.png"), 0); err == nil || !strings.Contains(err.Error(), "bad.png") {
		t.Errorf("corrupt file: %v", err)
	}
}

func TestFolder(t *testing.T) {
	root := t.TempDir()
	for _, c := range []struct {
		class string
		v     uint8
		n     int
	}{{"cat", 10, 2}, {"dog", 200, 1}} {
		os.MkdirAll(filepath.Join(root, c.class), 0o755)
		for i := range c.n {
			img := dl.FromUint8([]uint8{c.v, c.v, c.v, c.v}, 2, 2, 1)
			if err := Save(filepath.Join(root, c.class, string(rune('a'+i))+".png"), img); err != nil {
				t.Fatal(err)
			}
		}
	}
	os.WriteFile(filepath.Join(root, "cat", "notes.txt"), []byte("x"), 0o644)
	f, err := ListFolder(root)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(f.Classes, ",") != "cat,dog" || len(f.Paths) != 3 || f.Labels[2] != 1 || filepath.Base(f.Paths[1]) != "b.png" {
		t.Fatalf("listing %+v", f)
	}
	// Loaded at 4×4: every pixel of the resized flat images keeps its level.
	x, y, err := f.Load(4, 4, 1)
	if err != nil || !x.HasShape(3, 4, 4, 1) || x.Index(0).Max() != 10 || x.Index(2).Min() != 200 || y.Ints()[2] != 1 {
		t.Errorf("Load: %v %v %v", x.Shape(), y, err)
	}
	if _, err := ListFolder(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no class folders") {
		t.Errorf("empty folder: %v", err)
	}
}
