package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/images"
)

func TestTinyImageNetRoundTrip(t *testing.T) {
	// Six 4×4 images, labels 2, 0, 2, 2, 0, 2; image i is flat at level 40·i.
	px := make([]uint8, 6*16)
	for i := range px {
		px[i] = uint8(40 * (i / 16))
	}
	s := &Split{X: dl.FromUint8(px, 6, 4, 4), Y: dl.FromUint8([]uint8{2, 0, 2, 2, 0, 2}, 6)}
	dir := t.TempDir()
	if err := WriteTinyImageNet(dir, s, []string{"zero", "one", "two"}, 2, 1); err != nil {
		t.Fatal(err)
	}
	ti, err := ReadTinyImageNet(dir)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ti.IDs, ",") != "n00000000,n00000002" || ti.Words["n00000002"] != "two" {
		t.Errorf("ids %v, words %v", ti.IDs, ti.Words)
	}
	// Label 0: samples 1 and 4 to train. Label 2: samples 0 and 2 to train, 3 to val.
	if len(ti.TrainPaths) != 4 || len(ti.ValPaths) != 1 || ti.ValLabels[0] != 1 || ti.TrainLabels[2] != 1 {
		t.Fatalf("train %v %v, val %v %v", ti.TrainPaths, ti.TrainLabels, ti.ValPaths, ti.ValLabels)
	}
	img, err := images.Decode(ti.ValPaths[0], 0)
	if err != nil || !img.HasShape(4, 4, 1) || img.Max() > 123 || img.Min() < 117 {
		t.Errorf("val image %v %v, want about 120 everywhere", img, err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "train", "n00000002", "n00000002_boxes.txt")); err != nil || !strings.HasPrefix(string(b), "n00000002_0.JPEG\t0\t0\t3\t3\n") {
		t.Errorf("boxes %q %v", b, err)
	}
	os.WriteFile(filepath.Join(dir, "val", "val_annotations.txt"), []byte("val_0.JPEG\tn99999999\n"), 0o644)
	if _, err := ReadTinyImageNet(dir); err == nil || !strings.Contains(err.Error(), "val_annotations.txt:1: id n99999999") {
		t.Errorf("unknown id: %v", err)
	}
}
