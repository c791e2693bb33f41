// Package accel provides the compute kernels behind dl: matrix products, convolutions,
// pooling and fused activations on float32 slices, behind one Backend interface.
//
// The CPU backend (package accel/cpu) is the default; a CUDA backend loaded at run time may
// replace it. dl calls the kernels through Default:
//
//	accel.Default().Sgemm(false, false, m, n, k, 1, a, k, b, n, 0, c, n)
//
// All matrices are row-major. Images are NHWC and convolution kernels are HWIO
// (height, width, in channels, out channels), as in Keras. Kernels never allocate per call in
// steady state: scratch memory is owned by the backend and reused. Arguments are checked once
// at entry; a violated contract panics with an "accel: " message naming the kernel and the
// mismatching sizes.
package accel

import "sync"

// Activation is an element-wise function fused into a kernel's epilogue.
type Activation int

// The activations a kernel can fuse.
const (
	Linear  Activation = iota // f(x) = x
	ReLU                      // f(x) = max(x, 0)
	Sigmoid                   // f(x) = 1 / (1 + e^-x)
	Tanh                      // f(x) = tanh(x)
)

// Conv2DParams describes a 2-D convolution of an NHWC input x[N,H,W,C] with an HWIO kernel
// w[KH,KW,C,F], giving y[N,OutH,OutW,F].
//
// Padding is explicit: PadTop and PadLeft zeros are added before the first row and column;
// the bottom and right padding follow from OutH and OutW. Keras's "valid" is PadTop =
// PadLeft = 0 with OutH = (H-KH)/StrideH + 1; "same" is OutH = ceil(H/StrideH) with
// PadTop = max((OutH-1)·StrideH + KH - H, 0) / 2 (the extra row, if any, at the bottom).
type Conv2DParams struct {
	N, H, W, C       int // input batch, height, width, channels
	KH, KW, F        int // kernel height, width, and filters (output channels)
	StrideH, StrideW int
	PadTop, PadLeft  int
	OutH, OutW       int
}

// Pool2DParams describes 2-D pooling of an NHWC input x[N,H,W,C] with a KH×KW window, giving
// y[N,OutH,OutW,C]. Padding follows Conv2DParams; padded cells never win a max and are not
// counted in an average (Keras semantics).
type Pool2DParams struct {
	N, H, W, C       int
	KH, KW           int
	StrideH, StrideW int
	PadTop, PadLeft  int
	OutH, OutW       int
}

// Backend is a set of compute kernels. Implementations are safe for concurrent use by
// several goroutines on disjoint outputs.
type Backend interface {
	// Name identifies the backend and the code path it selected, such as "cpu/avx2".
	Name() string

	// Sgemm computes C = alpha·op(A)·op(B) + beta·C, where op(X) is X or Xᵀ as tA and tB
	// say, op(A) is m×k, op(B) is k×n and C is m×n. lda, ldb and ldc are the row strides.
	// With beta == 0, C is not read (NaNs in it do not propagate).
	Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

	// Dense computes y = act(x·w + bias) for x[m,k], w[k,n], bias[n] (nil for none) and
	// y[m,n]: a fully connected layer with its bias and activation fused into the GEMM.
	Dense(m, n, k int, x, w, bias []float32, act Activation, y []float32)

	// Conv2D computes y = act(conv(x, w) + bias). bias has F elements or is nil.
	Conv2D(p Conv2DParams, x, w, bias []float32, act Activation, y []float32)
	// Conv2DBackwardData computes dx, the gradient with respect to x, from dy and w.
	// dx is overwritten.
	Conv2DBackwardData(p Conv2DParams, dy, w, dx []float32)
	// Conv2DBackwardFilter computes dw and, when db is not nil, db (the sum of dy over N, OutH
	// and OutW). dw and db are overwritten.
	Conv2DBackwardFilter(p Conv2DParams, x, dy, dw, db []float32)

	// MaxPool2D computes y and records in argmax, for each output, the flat index into x of
	// the winning input, for the backward pass.
	MaxPool2D(p Pool2DParams, x, y []float32, argmax []int32)
	// MaxPool2DBackward scatters dy into dx through argmax. dx is overwritten.
	MaxPool2DBackward(p Pool2DParams, dy []float32, argmax []int32, dx []float32)
	// AvgPool2D computes y, the mean of each window's unpadded cells.
	AvgPool2D(p Pool2DParams, x, y []float32)
	// AvgPool2DBackward spreads dy evenly over each window's unpadded cells. dx is
	// overwritten.
	AvgPool2DBackward(p Pool2DParams, dy, dx []float32)

	// ActivationBackward computes dz = dy ⊙ act'(z), the gradient through an activation,
	// from its output y = act(z) (the kernels above fuse the activation, so z is never
	// stored): ReLU passes dy where y > 0 and zero elsewhere, Sigmoid multiplies by
	// y·(1-y), Tanh by 1-y², Linear copies. y, dy and dz have the same length; dz may be
	// dy itself. It is vectorised, so dl should call it rather than loop over elements.
	ActivationBackward(act Activation, y, dy, dz []float32)

	// SoftmaxCrossEntropy computes, for logits[m,n] and integer labels[m], the row-wise
	// softmax into probs[m,n] and returns the mean negative log-likelihood of the labels.
	// When grad is not nil it also writes the gradient of that mean loss with respect to
	// the logits, (probs - onehot(labels)) / m: the fused backward of softmax + sparse
	// categorical cross-entropy.
	SoftmaxCrossEntropy(m, n int, logits []float32, labels []int32, probs, grad []float32) float32
}

var (
	mu      sync.RWMutex
	current Backend
	// fallback is set by the CPU backend's init; see Register.
	fallback Backend
)

// Register makes b available; the first backend registered with primary == true, or else
// the first registered at all, becomes the default. The CPU backend registers itself from
// init.
func Register(b Backend, primary bool) {
	mu.Lock()
	defer mu.Unlock()
	if fallback == nil {
		fallback = b
	}
	if primary || current == nil {
		current = b
	}
}

// Use makes b the backend that Default returns and returns the previous one.
func Use(b Backend) (previous Backend) {
	mu.Lock()
	defer mu.Unlock()
	previous, current = current, b
	return previous
}

// Default returns the backend in use. It panics if no backend was registered: import
// godl.dev/godl/accel/cpu (dl does) to register the CPU backend.
func Default() Backend {
	mu.RLock()
	defer mu.RUnlock()
	if current == nil {
		panic("accel: no backend registered; import godl.dev/godl/accel/cpu")
	}
	return current
}
