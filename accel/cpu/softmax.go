package cpu

import "math"

// SoftmaxCrossEntropy computes row-wise softmax probabilities, the mean negative
// log-likelihood of the labels and, when grad is not nil, its gradient with respect to the
// logits; see accel.Backend.
//
// The loss of a row is computed from the log-sum-exp of its logits, so it stays finite even
// when a probability underflows to zero.
func (bk *Backend) SoftmaxCrossEntropy(m, n int, logits []float32, labels []int32, probs, grad []float32) float32 {
	const op = "SoftmaxCrossEntropy"
	if m < 0 || n <= 0 {
		panicf("%s: invalid size m=%d n=%d (n must be positive)", op, m, n)
	}
	checkLen(op, "logits", len(logits), m*n)
	checkLen(op, "labels", len(labels), m)
	checkLen(op, "probs", len(probs), m*n)
	if grad != nil {
		checkLen(op, "grad", len(grad), m*n)
	}
	for i, l := range labels[:m] {
		if l < 0 || int(l) >= n {
			panicf("%s: labels[%d] = %d is outside the %d classes [0, %d)", op, i, l, n, n)
		}
	}
	if m == 0 {
		return 0
	}
	var loss float64
	inv := 1 / float32(m)
	for i := 0; i < m; i++ {
		z := logits[i*n : i*n+n]
		pr := probs[i*n : i*n+n]
		mx := z[0]
		for _, v := range z[1:] {
			if v > mx {
				mx = v
			}
		}
		var sum float32
		for j, v := range z {
			e := expf(v - mx)
			pr[j] = e
			sum += e
		}
		r := 1 / sum
		for j := range pr {
			pr[j] *= r
		}
		l := labels[i]
		loss += math.Log(float64(sum)) - float64(z[l]-mx)
		if grad != nil {
			g := grad[i*n : i*n+n]
			for j, v := range pr {
				g[j] = v * inv
			}
			g[l] -= inv
		}
	}
	return float32(loss / float64(m))
}

// expf is e^x in float32 precision.
func expf(x float32) float32 { return float32(math.Exp(float64(x))) }
