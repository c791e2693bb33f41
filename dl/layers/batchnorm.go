package layers

import (
	"math"

	"godl.dev/godl/dl"
)

// BatchNormalizationLayer normalizes each channel (the last axis) of its input, as
// keras.layers.BatchNormalization(axis=-1) of TensorFlow 2.0. Make one with
// BatchNormalization.
//
// In training (Fit, or Call with training true) it normalizes with the batch's own mean and
// variance, y = γ·(x - mean)/√(var + ε) + β, and moves its moving statistics toward them:
// moving ← moving - (moving - batch)·(1 - momentum). In inference it normalizes with the
// moving statistics. As Keras's fused kernel does for 4-D inputs, the variance that feeds the
// moving variance of an NHWC input is the unbiased one (times n/(n-1), n the number of
// values per channel); for other ranks it is the batch variance itself. A frozen layer
// (SetTrainable(false)) runs in inference mode even in training, as in TensorFlow 2.
type BatchNormalizationLayer struct {
	base
	momentum, epsilon float64

	gamma, beta, movingMean, movingVar *dl.Tensor

	// Kernel state.
	x             *dl.Tensor
	rank          int
	training      bool      // the last Forward used the batch statistics
	mean, invStd  []float32 // per channel, of the last Forward
	sum, sumSq    []float64 // scratch accumulators
	scale, shift  []float32 // scratch: per-channel factors of the forward and backward passes
	meanDy        []float32
	y, dx         outBuf
	dGamma, dBeta *dl.Tensor
}

var (
	_ dl.Layer          = (*BatchNormalizationLayer)(nil)
	_ dl.Kernel         = (*BatchNormalizationLayer)(nil)
	_ dl.TrainableLayer = (*BatchNormalizationLayer)(nil)
)

// BatchNormalization returns a batch normalization layer over the last axis, as
// keras.layers.BatchNormalization(). Options: Momentum (default 0.99), Epsilon (default
// 0.001), Axis (only -1, the last axis), Name, InputShape. Its weights are gamma and beta
// (trainable) and moving_mean and moving_variance (never trainable), in that order.
func BatchNormalization(opts ...Option) *BatchNormalizationLayer {
	c := newConfig(opts)
	l := &BatchNormalizationLayer{base: newBase("BatchNormalization", c), momentum: 0.99, epsilon: 1e-3}
	if c.momentum != 0 {
		l.momentum = c.momentum
	}
	if c.epsilon != 0 {
		l.epsilon = c.epsilon
	}
	if c.axis != nil && *c.axis != -1 {
		panic(&dl.Error{Op: "BatchNormalization", Layer: l.name, Msg: "only axis -1 (the last, channels-last) is supported"})
	}
	if !(l.momentum >= 0 && l.momentum <= 1) || !(l.epsilon > 0) {
		panic(&dl.Error{Op: "BatchNormalization", Layer: l.name, Msg: "momentum must be in [0, 1] and epsilon positive"})
	}
	return l
}

// ClassName returns "BatchNormalization".
func (l *BatchNormalizationLayer) ClassName() string { return "BatchNormalization" }

// Gamma returns the per-channel scale (nil before Build).
func (l *BatchNormalizationLayer) Gamma() *dl.Tensor { return l.gamma }

// Beta returns the per-channel offset (nil before Build).
func (l *BatchNormalizationLayer) Beta() *dl.Tensor { return l.beta }

// MovingMean returns the moving mean (nil before Build).
func (l *BatchNormalizationLayer) MovingMean() *dl.Tensor { return l.movingMean }

// MovingVariance returns the moving variance (nil before Build).
func (l *BatchNormalizationLayer) MovingVariance() *dl.Tensor { return l.movingVar }

// Build creates gamma (ones), beta (zeros), the moving mean (zeros) and the moving variance
// (ones) for inputs whose last axis has inputShape[-1] channels.
func (l *BatchNormalizationLayer) Build(inputShape []int) {
	if len(inputShape) < 2 || inputShape[len(inputShape)-1] < 1 {
		shapeErr(l.name, "Build", [][]int{inputShape}, "BatchNormalization needs inputs of shape (batch, ..., channels) with known channels")
	}
	c := inputShape[len(inputShape)-1]
	l.gamma = dl.Variable(dl.Ones(c), l.name+"/gamma")
	l.beta = dl.Variable(dl.Zeros(c), l.name+"/beta")
	l.movingMean = dl.Variable(dl.Zeros(c), l.name+"/moving_mean")
	l.movingVar = dl.Variable(dl.Ones(c), l.name+"/moving_variance")
	l.weights = []*dl.Tensor{l.gamma, l.beta, l.movingMean, l.movingVar}
	l.fixed = []*dl.Tensor{l.movingMean, l.movingVar}
	l.markTrainable()
	l.dGamma, l.dBeta = dl.Zeros(c), dl.Zeros(c)
	l.mean, l.invStd = make([]float32, c), make([]float32, c)
	l.sum, l.sumSq = make([]float64, c), make([]float64, c)
	l.scale, l.shift, l.meanDy = make([]float32, c), make([]float32, c), make([]float32, c)
}

// OutputShape returns inputShape.
func (l *BatchNormalizationLayer) OutputShape(inputShape []int) []int {
	return append([]int(nil), inputShape...)
}

func (l *BatchNormalizationLayer) checkInput(x *dl.Tensor) int {
	c := l.gamma.Size()
	if x.Rank() < 2 || x.Dim(-1) != c {
		shapeErr(l.name, "BatchNormalization", [][]int{{-1, c}, x.Shape()}, "expected inputs whose last axis has the first shape's channels, got the second")
	}
	return c
}

// useBatchStats reports whether a call in the given mode normalizes with the batch's
// statistics.
func (l *BatchNormalizationLayer) useBatchStats(training bool) bool { return training && !l.frozen }

// Call normalizes x with tensor operations; in training it also updates the moving
// statistics.
func (l *BatchNormalizationLayer) Call(x *dl.Tensor, training bool) *dl.Tensor {
	c := l.checkInput(x)
	shape := x.Shape()
	x2 := x.Reshape(-1, c)
	var y *dl.Tensor
	if l.useBatchStats(training) {
		mean := x2.MeanAxis(0, false)
		d := x2.Sub(mean)
		v := d.Square().MeanAxis(0, false)
		y = d.Div(v.AddScalar(l.epsilon).Sqrt())
		l.updateMoving(mean.Float32s(), v.Float32s(), x2.Dim(0), len(shape) == 4)
	} else {
		mm, mv := l.movingMean.Detach(), l.movingVar.Detach()
		y = x2.Sub(mm).Div(mv.AddScalar(l.epsilon).Sqrt())
	}
	return y.Mul(l.gamma).Add(l.beta).Reshape(shape...)
}

// updateMoving moves the moving statistics toward the batch's mean and (biased) variance of
// n values per channel; unbiased asks for the n/(n-1) correction of the variance.
func (l *BatchNormalizationLayer) updateMoving(mean, variance []float32, n int, unbiased bool) {
	decay := float32(1 - l.momentum)
	corr := float32(1)
	if unbiased && n > 1 {
		corr = float32(n) / float32(n-1)
	}
	mm, mv := l.movingMean.Data(), l.movingVar.Data()
	for i := range mm {
		mm[i] -= (mm[i] - mean[i]) * decay
		mv[i] -= (mv[i] - variance[i]*corr) * decay
	}
}

// Forward is the compiled forward pass (see dl.Kernel).
//
// The loops run over the flat data with the channel index wrapping around, which costs the
// same per element for 8 channels as for 2048 (a loop per row would pay its overhead every
// few elements for few channels).
func (l *BatchNormalizationLayer) Forward(x *dl.Tensor, training bool) *dl.Tensor {
	c := l.checkInput(x)
	l.x, l.rank = x, x.Rank()
	xv := x.Data()
	rows := len(xv) / c
	y := l.y.like(x)
	yv := y.Data()
	l.training = l.useBatchStats(training)
	mean, inv := l.mean, l.invStd
	if l.training && rows > 0 {
		// One pass for Σx and Σx² in float64; var = E[x²] - mean² loses nothing that
		// matters at float64 precision for float32 data.
		sum, sq := l.sum[:c], l.sumSq[:c]
		clear(sum)
		clear(sq)
		j := 0
		for _, v := range xv {
			f := float64(v)
			sum[j] += f
			sq[j] += f * f
			if j++; j == c {
				j = 0
			}
		}
		variance := l.invStd // reused: the variance first, then 1/√(var + ε)
		for j := range variance {
			m := sum[j] / float64(rows)
			mean[j] = float32(m)
			variance[j] = float32(max(sq[j]/float64(rows)-m*m, 0))
		}
		l.updateMoving(mean, variance, rows, l.rank == 4)
		for j, v := range variance {
			inv[j] = float32(1 / math.Sqrt(float64(v)+l.epsilon))
		}
	} else {
		copy(mean, l.movingMean.Data())
		for j, v := range l.movingVar.Data() {
			inv[j] = float32(1 / math.Sqrt(float64(v)+l.epsilon))
		}
	}
	g, b := l.gamma.Data(), l.beta.Data()
	// y = x·s + t with s = γ/σ and t = β - mean·s, per channel.
	s, t := l.scale[:c], l.shift[:c]
	for j := range s {
		s[j] = g[j] * inv[j]
		t[j] = b[j] - mean[j]*s[j]
	}
	yv = yv[:len(xv)]
	j := 0
	for i, v := range xv {
		yv[i] = v*s[j] + t[j]
		if j++; j == c {
			j = 0
		}
	}
	return y
}

// Backward is the compiled backward pass (see dl.Kernel). In training mode the gradient
// flows through the batch statistics too:
// dx = γ/σ · (dy - mean(dy) - x̂·mean(dy·x̂)), with x̂ = (x - mean)/σ,
// computed per element as dx = dy·p + x·q + r with per-channel p, q and r.
func (l *BatchNormalizationLayer) Backward(dy *dl.Tensor, needDx bool) *dl.Tensor {
	c := l.gamma.Size()
	xv, g := l.x.Data(), dy.Data()
	g = g[:len(xv)]
	rows := len(xv) / c
	mean, inv := l.mean, l.invStd
	dg, db := l.dGamma.Data(), l.dBeta.Data()
	sgx, sg := l.sum[:c], l.sumSq[:c] // Σdy·x and Σdy in float64
	clear(sgx)
	clear(sg)
	j := 0
	for i, v := range g {
		f := float64(v)
		sg[j] += f
		sgx[j] += f * float64(xv[i])
		if j++; j == c {
			j = 0
		}
	}
	// Σdy·x̂ = (Σdy·x - mean·Σdy)/σ.
	for j := range dg {
		db[j] = float32(sg[j])
		dg[j] = float32((sgx[j] - float64(mean[j])*sg[j]) * float64(inv[j]))
	}
	l.gamma.SetGrad(l.dGamma)
	l.beta.SetGrad(l.dBeta)
	if !needDx {
		return nil
	}
	dx := l.dx.like(l.x)
	dxv := dx.Data()[:len(xv)]
	gam := l.gamma.Data()
	p, q, r := l.scale[:c], l.shift[:c], l.meanDy[:c]
	for j := range p {
		k := gam[j] * inv[j] // γ/σ
		p[j], q[j], r[j] = k, 0, 0
		if l.training && rows > 0 {
			n := float32(rows)
			a, b := db[j]/n, dg[j]/n // mean(dy), mean(dy·x̂)
			// k·(dy - a - (x - mean)·σ⁻¹·b) = k·dy + x·(-k·b/σ) + k·(b·mean/σ - a)
			q[j] = -k * b * inv[j]
			r[j] = k * (b*mean[j]*inv[j] - a)
		}
	}
	j = 0
	for i, v := range g {
		dxv[i] = v*p[j] + xv[i]*q[j] + r[j]
		if j++; j == c {
			j = 0
		}
	}
	return dx
}
