package applications_test

import (
	"slices"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/applications"
	"godl.dev/godl/dl/layers"
)

func counts(t *testing.T, m dl.Network) (total, trainable, nonTrainable int) {
	t.Helper()
	total, trainable = dl.CountParams(m.Weights())
	return total, trainable, total - trainable
}

func classCount(m dl.Network) map[string]int {
	c := map[string]int{}
	for _, l := range m.Layers() {
		c[l.ClassName()]++
	}
	return c
}

func TestKerasResNet50(t *testing.T) {
	dl.ClearSession()
	m := applications.ResNet50(applications.Classes(100))
	if a, b, c := counts(t, m); a != 23792612 || b != 23739492 || c != 53120 {
		t.Errorf("params %d / %d / %d, want 23,792,612 / 23,739,492 / 53,120", a, b, c)
	}
	if n := len(m.Layers()); n != 177 {
		t.Errorf("%d layers, want 177", n)
	}
	for _, name := range []string{"conv1_pad", "conv1", "bn_conv1", "pool1_pad", "res2a_branch2a", "bn2a_branch2a",
		"res2a_branch2b", "bn2a_branch2c", "res2a_branch1", "bn2a_branch1", "res2b_branch2a", "res3a_branch1",
		"res4f_branch2c", "res5c_branch2c", "bn5c_branch2c", "avg_pool", "fc1000"} {
		if m.GetLayer(name) == nil {
			t.Errorf("no layer %q", name)
		}
	}
	if l := m.GetLayer("res2b_branch1"); l != nil {
		t.Error("an identity block has a projection shortcut")
	}
	if got := m.GetLayer("conv1").(*layers.Conv2DLayer).Kernel().Shape(); !slices.Equal(got, []int{7, 7, 3, 64}) {
		t.Errorf("conv1 kernel %v", got)
	}
	if got := m.GetLayer("fc1000").Weights()[0].Shape(); !slices.Equal(got, []int{2048, 100}) {
		t.Errorf("fc1000 kernel %v", got)
	}

	top := applications.ResNet50(applications.IncludeTop(false))
	if a, _, _ := counts(t, top); a != 23587712 {
		t.Errorf("without the top: %d params, want 23,587,712", a)
	}
	c := classCount(top)
	if c["Conv2D"] != 53 || c["BatchNormalization"] != 53 || c["Dense"] != 0 {
		t.Errorf("without the top: %d Conv2D, %d BatchNormalization, %d Dense; want 53, 53, 0", c["Conv2D"], c["BatchNormalization"], c["Dense"])
	}
}

func TestBookResNet50(t *testing.T) {
	dl.ClearSession()
	m := applications.ResNet50Book([]int{224, 224, 3}, 100)
	if a, b, c := counts(t, m); a != 23777252 || b != 23731812 || c != 45440 {
		t.Errorf("params %d / %d / %d, want 23,777,252 / 23,731,812 / 45,440", a, b, c)
	}
	if n := len(m.Layers()); n != 172 {
		t.Errorf("%d layers, want 172", n)
	}
	c := classCount(m)
	for class, want := range map[string]int{"Conv2D": 53, "BatchNormalization": 49, "Activation": 49, "Add": 16,
		"MaxPooling2D": 1, "AveragePooling2D": 1, "Flatten": 1, "Dense": 1} {
		if c[class] != want {
			t.Errorf("%d %s layers, want %d", c[class], class, want)
		}
	}
	// ch4_nb1 cell 49's printed per-layer counts.
	for name, want := range map[string]int{"cbr_c": 9472, "cbr_bn": 256, "block_0_0_cbr1_c": 4160,
		"block_0_0_cbr2_c": 36928, "block_0_0_shortcut_c": 16640, "block_3_2_cbr2_c": 2359808,
		"block_3_2_cbr3_c": 1050624, "block_3_2_cbr3_bn": 8192, "dense": 204900} {
		l := m.GetLayer(name)
		if l == nil {
			t.Errorf("no layer %q", name)
			continue
		}
		if n, _ := dl.CountParams(l.Weights()); n != want {
			t.Errorf("%s: %d params, want %d", name, n, want)
		}
	}
	if l := m.GetLayer("block_0_1_shortcut_c"); l != nil {
		t.Error("a block with matching shapes has a projection shortcut")
	}
	names := ""
	for _, l := range m.Layers() {
		names += l.Name() + " "
	}
	if !strings.Contains(names, "average_pooling2d") || !strings.Contains(names, "max_pooling2d") {
		t.Errorf("automatic names missing: %s", names)
	}
}
