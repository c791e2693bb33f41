package applications_test

import (
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/applications"
	"godl.dev/godl/dl/layers"
)

// TestHeadlessResNet50WithFrozenConvolutions follows ch4_nb4: the headless ResNet-50 gets a
// new head (global average pooling and Dense(100)) grafted on its output, and every
// convolution is frozen while the batch normalizations stay trainable.
func TestHeadlessResNet50WithFrozenConvolutions(t *testing.T) {
	dl.ClearSession()
	base := applications.ResNet50(applications.IncludeTop(false))
	frozen := 0
	for _, l := range base.Layers() {
		if c, ok := l.(*layers.Conv2DLayer); ok {
			c.SetTrainable(false)
			frozen++
		}
	}
	x := dl.Apply(layers.GlobalAveragePooling2D(), base.Output())
	x = dl.Apply(layers.Dense(100, layers.Softmax), x)
	m := dl.NewModel(base.Inputs(), []*dl.Tensor{x})
	if a, b, c := counts(t, m); frozen != 53 || a != 23792612 || b != 258020 || c != 23534592 {
		t.Errorf("%d convolutions frozen; params %d / %d / %d, want 53 and 23,792,612 / 258,020 / 23,534,592", frozen, a, b, c)
	}
	if m.GetLayer("bn_conv1") != base.GetLayer("bn_conv1") {
		t.Error("the grafted model does not share the base's layers")
	}
}

func TestBookResNet50Summary(t *testing.T) {
	dl.ClearSession()
	s := applications.ResNet50Book([]int{224, 224, 3}, 100).SummaryString()
	for _, want := range []string{"Total params: 23,777,252", "Trainable params: 23,731,812", "Non-trainable params: 45,440",
		"cbr_c (Conv2D)", "block_0_0_shortcut_c (Conv2D)", "(None, 56, 56, 256)", "average_pooling2d (AveragePooli", "dense (Dense)"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s[:min(len(s), 3000)])
		}
	}
}

// TestFreezeByMacroBlock follows ch4_nb4's fine-tuning loop: walking the layers in order,
// freeze every Conv2D before the first layer whose name holds res{n+2} (conv1 for n = 0).
func TestFreezeByMacroBlock(t *testing.T) {
	dl.ClearSession()
	for n, want := range []int{0, 11, 24, 43} {
		base := applications.ResNet50(applications.IncludeTop(false), applications.InputShape(64, 64, 3))
		stop := "conv1"
		if n > 0 {
			stop = "res" + string(rune('0'+n+2))
		}
		frozen := 0
		for _, l := range base.Layers() {
			if strings.Contains(l.Name(), stop) {
				break
			}
			if c, ok := l.(*layers.Conv2DLayer); ok {
				c.SetTrainable(false)
				frozen++
			}
		}
		if frozen != want {
			t.Errorf("freezing %d macro-blocks froze %d Conv2D layers, want %d", n, frozen, want)
		}
	}
}
