package layers

import (
	"godl.dev/godl/accel"
	"godl.dev/godl/dl"
)

// DenseLayer is a fully connected layer: y = activation(x·kernel + bias) over the last axis
// of x. Make one with Dense.
type DenseLayer struct {
	weighted
	units int

	// Kernel state: the last input, and the owned output and gradient buffers.
	x                *dl.Tensor
	y, dz, dx        outBuf
	rows, inFeatures int
	sgd              bool    // fused plain SGD update in Backward (dl.FusedSGD)
	lr               float32 // its learning rate
	sparse           sparseState
}

var (
	_ dl.Layer         = (*DenseLayer)(nil)
	_ dl.SoftmaxKernel = (*DenseLayer)(nil)
	_ dl.FusedSGD      = (*DenseLayer)(nil)
)

// Dense returns a fully connected layer with the given number of output units, as
// keras.layers.Dense. Options: an Activation (default Linear), Name, InputShape,
// KernelInitializer (default GlorotUniform), BiasInitializer (default Zeros), UseBias.
func Dense(units int, opts ...Option) *DenseLayer {
	if units < 1 {
		panic(&dl.Error{Op: "Dense", Msg: "units must be positive"})
	}
	c := newConfig(opts)
	return &DenseLayer{weighted: newWeighted("Dense", c), units: units}
}

// ClassName returns "Dense".
func (d *DenseLayer) ClassName() string { return "Dense" }

// Units returns the number of outputs.
func (d *DenseLayer) Units() int { return d.units }

// Activation returns the layer's activation.
func (d *DenseLayer) Activation() Activation { return d.activation }

// Kernel returns the [inputs, units] weight matrix (nil before Build).
func (d *DenseLayer) Kernel() *dl.Tensor { return d.kernel }

// Bias returns the [units] bias (nil before Build or without a bias).
func (d *DenseLayer) Bias() *dl.Tensor { return d.bias }

// Build creates the kernel and bias for inputs whose last axis has inputShape[-1] features.
func (d *DenseLayer) Build(inputShape []int) {
	if len(inputShape) < 2 || inputShape[len(inputShape)-1] < 1 {
		shapeErr(d.name, "Build", [][]int{inputShape}, "Dense needs inputs of shape (batch, ..., features) with known features")
	}
	d.buildWeights(inputShape[len(inputShape)-1], d.units)
}

// OutputShape replaces the last axis by the number of units.
func (d *DenseLayer) OutputShape(inputShape []int) []int {
	out := append([]int(nil), inputShape...)
	out[len(out)-1] = d.units
	return out
}

func (d *DenseLayer) checkInput(op string, x *dl.Tensor) {
	k := d.kernel.Dim(0)
	if x.Rank() < 2 || x.Dim(-1) != k {
		want := []int{-1, k}
		shapeErr(d.name, op, [][]int{want, x.Shape()}, "expected inputs of the first shape, got the second")
	}
}

// Call computes activation(x·kernel + bias) with tensor operations. An unbuilt layer builds
// itself for x first, as a Keras layer does when first called (in a subclassed model's
// Call).
func (d *DenseLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	if d.kernel == nil {
		d.Build(x.Shape())
	}
	d.checkInput("Dense", x)
	shape := x.Shape()
	y := x.Reshape(-1, shape[len(shape)-1]).MatMul(d.kernel)
	if d.bias != nil {
		y = y.Add(d.bias)
	}
	y = d.activation.Call(y)
	return y.Reshape(d.OutputShape(shape)...)
}

// Forward is the compiled forward pass (see dl.Kernel).
func (d *DenseLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	y := d.forward(x, d.activation.epilogue())
	if d.activation == Softmax {
		v := y.Data()
		dl.SoftmaxRows(d.rows, d.units, v, v)
	}
	return y
}

// ForwardLogits is Forward without the final softmax (see dl.SoftmaxKernel).
func (d *DenseLayer) ForwardLogits(x *dl.Tensor) *dl.Tensor { return d.forward(x, accel.Linear) }

// EndsInSoftmax reports whether the activation is Softmax.
func (d *DenseLayer) EndsInSoftmax() bool { return d.activation == Softmax }

func (d *DenseLayer) forward(x *dl.Tensor, act accel.Activation) *dl.Tensor {
	d.checkInput("Dense", x)
	k := d.kernel.Dim(0)
	m := x.Size() / k
	d.x, d.rows, d.inFeatures = x, m, k
	var y *dl.Tensor
	if x.Rank() == 2 {
		y = d.y.get(m, d.units)
	} else {
		y = d.y.get(d.OutputShape(x.Shape())...)
	}
	var b []float32
	if d.bias != nil {
		b = d.bias.Data()
	}
	if m > 0 {
		if d.sparse.compact(x.Data(), m, k, d.kernel.Data(), d.units) {
			d.forwardSparse(act, b, y.Data())
		} else {
			accel.Default().Dense(m, d.units, k, x.Data(), d.kernel.Data(), b, act, y.Data())
		}
	}
	return y
}

// Backward is the compiled backward pass (see dl.Kernel).
func (d *DenseLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	g := dy.Data()
	if d.activation != Linear {
		var dz []float32
		if dy.Rank() == 2 {
			dz = d.dz.get(d.rows, d.units).Data()
		} else {
			dz = d.dz.get(dy.Shape()...).Data()
		}
		d.activation.backward(d.y.t.Data(), g, dz, d.units)
		g = dz
	}
	return d.backwardFrom(g, needDx)
}

// BackwardLogits is Backward given the gradient with respect to the logits (see
// dl.SoftmaxKernel).
func (d *DenseLayer) BackwardLogits(dLogits *dl.Tensor, needDx bool) *dl.Tensor {
	return d.backwardFrom(dLogits.Data(), needDx)
}

// SetFusedSGD makes Backward update the weights itself with plain SGD (see dl.FusedSGD).
func (d *DenseLayer) SetFusedSGD(lr float64, on bool) { d.sgd, d.lr = on, float32(lr) }

// backwardFrom computes the weight gradients and dx from g = dL/dz, z = x·W + b.
func (d *DenseLayer) backwardFrom(g []float32, needDx bool) *dl.Tensor {
	if d.sgd {
		return d.backwardSGD(g, needDx)
	}
	m, k, n := d.rows, d.inFeatures, d.units
	be := accel.Default()
	x := d.x.Data()
	dk := d.dKernel.Data()
	if m > 0 {
		be.Sgemm(true, false, k, n, m, 1, x, k, g, n, 0, dk, n) // dW = xᵀ·g
	} else {
		clear(dk)
	}
	d.kernel.SetGrad(d.dKernel)
	if d.bias != nil {
		db := d.dBias.Data()
		clear(db)
		for r := 0; r < m; r++ {
			row := g[r*n : (r+1)*n]
			for j, v := range row {
				db[j] += v
			}
		}
		d.bias.SetGrad(d.dBias)
	}
	if !needDx {
		return nil
	}
	var dx *dl.Tensor
	if d.x.Rank() == 2 {
		dx = d.dx.get(m, k)
	} else {
		dx = d.dx.get(d.x.Shape()...)
	}
	if m > 0 {
		be.Sgemm(false, true, m, k, n, 1, g, n, d.kernel.Data(), n, 0, dx.Data(), k) // dx = g·Wᵀ
	}
	return dx
}

// backwardSGD is backwardFrom with the plain SGD update folded in: dx = g·Wᵀ first (from
// the old weights), then W ← W - lr·xᵀ·g as one product accumulating into W, and
// b ← b - lr·Σg. No gradient is stored.
func (d *DenseLayer) backwardSGD(g []float32, needDx bool) *dl.Tensor {
	m, k, n := d.rows, d.inFeatures, d.units
	be := accel.Default()
	var dx *dl.Tensor
	if needDx {
		if d.x.Rank() == 2 {
			dx = d.dx.get(m, k)
		} else {
			dx = d.dx.get(d.x.Shape()...)
		}
		if m > 0 {
			be.Sgemm(false, true, m, k, n, 1, g, n, d.kernel.Data(), n, 0, dx.Data(), k)
		}
	}
	d.kernel.SetGrad(nil)
	if m == 0 {
		return dx
	}
	if d.sparse.on {
		d.updateSparse(g)
	} else {
		be.Sgemm(true, false, k, n, m, -d.lr, d.x.Data(), k, g, n, 1, d.kernel.Data(), n)
	}
	if d.bias != nil {
		d.bias.SetGrad(nil)
		db := d.dBias.Data()
		clear(db)
		for r := 0; r < m; r++ {
			row := g[r*n : (r+1)*n]
			for j, v := range row {
				db[j] += v
			}
		}
		b := d.bias.Data()
		for j, v := range db {
			b[j] -= d.lr * v
		}
	}
	return dx
}
