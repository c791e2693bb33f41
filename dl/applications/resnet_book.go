package applications

import (
	"fmt"
	"slices"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/regularizers"
)

// BookConfig holds the arguments of the book's ResNet function (ch4_nb1 cell 44,
// resnet_functional.py). The zero value of a field means the default given with it.
type BookConfig struct {
	// InputShape is the per-sample shape, height, width, channels (required).
	InputShape []int
	// Classes is the number of classes of the softmax head (default 1000).
	Classes int
	// Bottleneck selects bottleneck blocks (1×1, 3×3, 1×1 to 4×filters: ResNet-50 and
	// deeper) instead of basic blocks (two 3×3 convolutions: ResNet-18 and -34).
	Bottleneck bool
	// Repetitions is the number of blocks of each macro-block (default 2, 2, 2, 2).
	Repetitions []int
	// Filters is the first macro-block's number of filters, doubled at each next one up to
	// 1024 (default 64).
	Filters int
	// UseBias adds biases to the convolutions of the blocks (the shortcut projections always
	// have one, as in the book).
	UseBias bool
	// KernelInitializer initialises every convolution and the Dense head (default
	// he_normal).
	KernelInitializer layers.Initializer
	// KernelRegularizer penalises every convolution kernel (the book's default is
	// regularizers.L2(1e-4); its ResNet18 … ResNet152 wrappers use none).
	KernelRegularizer regularizers.Regularizer
	// SmallInput replaces the 7×7 stride-2 stem and its max pooling by one 3×3 stride-1
	// convolution, for 28–32 pixel images (CIFAR, Fashion-MNIST) that the ImageNet stem
	// would shrink to a few pixels.
	SmallInput bool
	// Name is the model's name (default "model", numbered as Keras does).
	Name string
}

// ResNetBook builds the book's modular ResNet with dl's functional API, layer for layer as
// ch4_nb1 does (cells 33–46): a stem _res_conv(64, 7, strides 2) named cbr_c, cbr_bn,
// cbr_r, then MaxPooling2D(3, strides 2, same); macro-blocks block_0 … block_3, whose first
// block is strided (except in block_0) and whose blocks are named block_i_j, each made of
// convolution + batch normalization (+ ReLU) units block_i_j_cbr1_c, _bn, _r …, a shortcut
// that is the identity or a 1×1 convolution block_i_j_shortcut_c when the shapes differ, an
// Add and a ReLU; then AveragePooling2D over the whole final feature map, Flatten and a
// softmax Dense.
func ResNetBook(c BookConfig) *dl.Model {
	if len(c.InputShape) != 3 {
		panic(fmt.Sprintf("applications: ResNetBook needs an input shape (height, width, channels), got %v", c.InputShape))
	}
	if c.Classes == 0 {
		c.Classes = 1000
	}
	if c.Repetitions == nil {
		c.Repetitions = []int{2, 2, 2, 2}
	}
	if c.Filters == 0 {
		c.Filters = 64
	}
	if c.KernelInitializer == nil {
		c.KernelInitializer = layers.HeNormal
	}
	b := bookBuilder{c: c}
	in := dl.Input(c.InputShape...)
	var x *dl.Tensor
	if c.SmallInput {
		x = b.resConv(in, c.Filters, 3, layers.Same, 1, true, "cbr")
	} else {
		x = b.resConv(in, c.Filters, 7, layers.Same, 2, true, "cbr")
		x = apply(layers.MaxPooling2D(3, layers.Strides(2, 2), layers.Same), x)
	}
	filters := c.Filters
	for i, n := range c.Repetitions {
		stride := 2
		if i == 0 {
			stride = 1
		}
		for j := 0; j < n; j++ {
			s := stride
			if j > 0 {
				s = 1
			}
			name := fmt.Sprintf("block_%d_%d", i, j)
			if c.Bottleneck {
				x = b.bottleneckBlock(x, filters, s, name)
			} else {
				x = b.basicBlock(x, filters, s, name)
			}
		}
		filters = min(filters*2, 1024)
	}
	shape := x.Shape()
	x = apply(layers.AveragePooling2D(shape[1], layers.KernelSize(shape[1], shape[2]), layers.Strides(1, 1)), x)
	x = apply(layers.Flatten(), x)
	x = apply(layers.Dense(c.Classes, layers.Softmax, layers.KernelInitializer(c.KernelInitializer)), x)
	if c.Name == "" {
		return dl.NewModel([]*dl.Tensor{in}, []*dl.Tensor{x})
	}
	return dl.NewModel([]*dl.Tensor{in}, []*dl.Tensor{x}, c.Name)
}

// ResNet50Book returns the book's ResNet-50 (ch4_nb1 cell 46): bottleneck blocks repeated
// 3, 4, 6, 3 times, convolutions with biases, no regularizer. At 224×224×3 with 100 classes
// it has 172 layers and 23,777,252 parameters, 45,440 of them non-trainable.
func ResNet50Book(inputShape []int, classes int) *dl.Model {
	return ResNetBook(BookConfig{InputShape: inputShape, Classes: classes, Bottleneck: true,
		Repetitions: []int{3, 4, 6, 3}, UseBias: true})
}

// ResNet18Book returns the book's ResNet-18 (basic blocks repeated 2, 2, 2, 2, biases, no
// regularizer); with filters 16 and SmallInput it is a narrow ResNet-18 for 28–32 pixel
// images that trains on a CPU.
func ResNet18Book(inputShape []int, classes, filters int, smallInput bool) *dl.Model {
	return ResNetBook(BookConfig{InputShape: inputShape, Classes: classes, Repetitions: []int{2, 2, 2, 2},
		Filters: filters, UseBias: true, SmallInput: smallInput})
}

type bookBuilder struct{ c BookConfig }

// resConv is the book's _res_conv: Conv2D name_c, BatchNormalization name_bn, and with relu
// Activation('relu') name_r.
func (b bookBuilder) resConv(x *dl.Tensor, filters, kernel int, padding layers.Padding, stride int, relu bool, name string) *dl.Tensor {
	x = apply(layers.Conv2D(filters, kernel, padding, layers.Strides(stride, stride), layers.UseBias(b.c.UseBias),
		layers.KernelInitializer(b.c.KernelInitializer), layers.KernelRegularizer(b.c.KernelRegularizer),
		layers.Name(name+"_c")), x)
	x = apply(layers.BatchNormalization(layers.Axis(-1), layers.Name(name+"_bn")), x)
	if relu {
		x = apply(layers.Activate(layers.ReLU, layers.Name(name+"_r")), x)
	}
	return x
}

// mergeWithShortcut is the book's _merge_with_shortcut: x itself when its shape is the
// residual's, else a 1×1 convolution (with a bias) of x to the residual's channels, strided
// by the ratio of the sizes; then Add.
func (b bookBuilder) mergeWithShortcut(x, residual *dl.Tensor, name string) *dl.Tensor {
	xs, rs := x.Shape(), residual.Shape()
	shortcut := x
	if !slices.Equal(xs, rs) {
		sh := int(float64(xs[1])/float64(rs[1]) + 0.5)
		sw := int(float64(xs[2])/float64(rs[2]) + 0.5)
		shortcut = apply(layers.Conv2D(rs[3], 1, layers.Strides(sh, sw), layers.KernelInitializer(b.c.KernelInitializer),
			layers.KernelRegularizer(b.c.KernelRegularizer), layers.Name(name+"_shortcut_c")), x)
	}
	return apply(layers.Add(), shortcut, residual)
}

// basicBlock is the book's _residual_block_basic.
func (b bookBuilder) basicBlock(x *dl.Tensor, filters, stride int, name string) *dl.Tensor {
	c1 := b.resConv(x, filters, 3, layers.Same, stride, true, name+"_cbr1")
	res := b.resConv(c1, filters, 3, layers.Same, 1, false, name+"_cbr2")
	return apply(layers.Activate(layers.ReLU), b.mergeWithShortcut(x, res, name))
}

// bottleneckBlock is the book's _residual_block_bottleneck.
func (b bookBuilder) bottleneckBlock(x *dl.Tensor, filters, stride int, name string) *dl.Tensor {
	c1 := b.resConv(x, filters, 1, layers.Valid, stride, true, name+"_cbr1")
	c2 := b.resConv(c1, filters, 3, layers.Same, 1, true, name+"_cbr2")
	res := b.resConv(c2, 4*filters, 1, layers.Valid, 1, false, name+"_cbr3")
	return apply(layers.Activate(layers.ReLU), b.mergeWithShortcut(x, res, name))
}
