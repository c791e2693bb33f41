package applications

import (
	"fmt"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
)

// Option configures a model of this package, as a keyword argument of
// tf.keras.applications does.
type Option interface {
	apply(o *options)
}

type options struct {
	includeTop bool
	inputShape []int
	classes    int
	name       string
}

type optionFunc func(o *options)

func (f optionFunc) apply(o *options) { f(o) }

// IncludeTop sets whether the classifier head (global average pooling and the softmax Dense
// layer) is included (default true). Without it the model ends with the last residual
// block's feature map, as include_top=False.
func IncludeTop(on bool) Option { return optionFunc(func(o *options) { o.includeTop = on }) }

// InputShape sets the per-sample input shape, height, width, channels (default 224, 224, 3).
func InputShape(h, w, c int) Option {
	return optionFunc(func(o *options) { o.inputShape = []int{h, w, c} })
}

// Classes sets the number of classes of the head (default 1000).
func Classes(n int) Option { return optionFunc(func(o *options) { o.classes = n }) }

// ModelName sets the model's name (default "resnet50").
func ModelName(name string) Option { return optionFunc(func(o *options) { o.name = name }) }

func newOptions(opts []Option) *options {
	o := &options{includeTop: true, inputShape: []int{224, 224, 3}, classes: 1000, name: "resnet50"}
	for _, op := range opts {
		if op != nil {
			op.apply(o)
		}
	}
	return o
}

// ResNet50 returns Keras Applications' ResNet-50 (tf.keras.applications.resnet50.ResNet50
// with weights=None, as in TensorFlow 2.0) with new he_normal-initialised weights:
// ZeroPadding2D(3) "conv1_pad", a 7×7 stride-2 convolution "conv1", "bn_conv1", ReLU,
// ZeroPadding2D(1) "pool1_pad", 3×3 stride-2 max pooling, then 16 bottleneck blocks in four
// stages (res2a_branch2a … res5c_branch2c, batch normalization bn2a_branch2a … after every
// convolution, projection shortcuts res2a_branch1 with bn2a_branch1 at each stage's first
// block), and with the top, "avg_pool" (GlobalAveragePooling2D) and "fc1000" (Dense,
// softmax). Options: IncludeTop, InputShape, Classes, ModelName.
//
// With classes 100 at 224×224×3 it has 177 layers and 23,792,612 parameters, 53,120 of them
// non-trainable (the moving statistics of the 53 batch normalizations).
func ResNet50(opts ...Option) *dl.Model {
	o := newOptions(opts)
	if len(o.inputShape) != 3 || o.inputShape[0] < 32 || o.inputShape[1] < 32 || o.inputShape[2] < 1 {
		panic(fmt.Sprintf("applications: ResNet50 needs an input shape (height, width, channels) of at least 32×32 pixels, got %v", o.inputShape))
	}
	if o.includeTop && o.classes < 1 {
		panic(fmt.Sprintf("applications: ResNet50 needs a positive number of classes, got %d", o.classes))
	}
	in := dl.Input(o.inputShape...)
	x := apply(layers.ZeroPadding2D(3, layers.Name("conv1_pad")), in)
	x = apply(layers.Conv2D(64, 7, layers.Strides(2, 2), layers.KernelInitializer(layers.HeNormal), layers.Name("conv1")), x)
	x = apply(layers.BatchNormalization(layers.Name("bn_conv1")), x)
	x = apply(layers.Activate(layers.ReLU), x)
	x = apply(layers.ZeroPadding2D(1, layers.Name("pool1_pad")), x)
	x = apply(layers.MaxPooling2D(3, layers.Strides(2, 2)), x)

	for _, st := range []struct {
		stage   int
		filters [3]int
		blocks  int
		stride  int
	}{
		{2, [3]int{64, 64, 256}, 3, 1},
		{3, [3]int{128, 128, 512}, 4, 2},
		{4, [3]int{256, 256, 1024}, 6, 2},
		{5, [3]int{512, 512, 2048}, 3, 2},
	} {
		for b := 0; b < st.blocks; b++ {
			x = kerasBottleneck(x, st.stage, string(rune('a'+b)), st.filters, st.stride, b == 0)
		}
	}
	if o.includeTop {
		x = apply(layers.GlobalAveragePooling2D(layers.Name("avg_pool")), x)
		x = apply(layers.Dense(o.classes, layers.Softmax, layers.Name("fc1000")), x)
	}
	return dl.NewModel([]*dl.Tensor{in}, []*dl.Tensor{x}, o.name)
}

// kerasBottleneck is keras_applications' identity_block (project false) and conv_block
// (project true, with a strided 1×1 convolution and batch normalization on the shortcut).
func kerasBottleneck(in *dl.Tensor, stage int, block string, f [3]int, stride int, project bool) *dl.Tensor {
	conv := fmt.Sprintf("res%d%s_branch", stage, block)
	bn := fmt.Sprintf("bn%d%s_branch", stage, block)
	he := layers.KernelInitializer(layers.HeNormal)
	s := 1
	if project {
		s = stride
	}
	x := apply(layers.Conv2D(f[0], 1, layers.Strides(s, s), he, layers.Name(conv+"2a")), in)
	x = apply(layers.BatchNormalization(layers.Name(bn+"2a")), x)
	x = apply(layers.Activate(layers.ReLU), x)
	x = apply(layers.Conv2D(f[1], 3, layers.Same, he, layers.Name(conv+"2b")), x)
	x = apply(layers.BatchNormalization(layers.Name(bn+"2b")), x)
	x = apply(layers.Activate(layers.ReLU), x)
	x = apply(layers.Conv2D(f[2], 1, he, layers.Name(conv+"2c")), x)
	x = apply(layers.BatchNormalization(layers.Name(bn+"2c")), x)
	shortcut := in
	if project {
		shortcut = apply(layers.Conv2D(f[2], 1, layers.Strides(s, s), he, layers.Name(conv+"1")), in)
		shortcut = apply(layers.BatchNormalization(layers.Name(bn+"1")), shortcut)
	}
	x = apply(layers.Add(), x, shortcut)
	return apply(layers.Activate(layers.ReLU), x)
}
