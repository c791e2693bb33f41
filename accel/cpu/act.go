package cpu

import (
	"math"

	"godl.dev/godl/accel"
)

// epilogue sets row[j] = act(row[j] + bias[j]); bias may be nil.
func (bk *Backend) epilogue(row, bias []float32, act accel.Activation) {
	bk.epilogueRows(row, 1, len(row), len(row), bias, act)
}

// epilogueRows sets c[i*ld+j] = act(c[i*ld+j] + bias[j]) for i < rows, j < n; bias may
// be nil.
func (bk *Backend) epilogueRows(c []float32, rows, n, ld int, bias []float32, act accel.Activation) {
	if rows == 0 || n == 0 {
		return
	}
	_ = c[(rows-1)*ld+n-1]
	if act == accel.Linear || act == accel.ReLU {
		flags := 0
		var bp *float32
		if bias != nil {
			flags |= epiBias
			bp = &bias[:n][0]
		}
		if act == accel.ReLU {
			flags |= epiReLU
		}
		if flags != 0 {
			bk.biasReLU(rows, n, &c[0], ld, bp, flags)
		}
		return
	}
	for i := 0; i < rows; i++ {
		row := c[i*ld : i*ld+n]
		if bias != nil {
			bk.biasReLU(1, n, &row[0], n, &bias[:n][0], epiBias)
		}
		bk.applyAct(row, act)
	}
}

// applyEpilogue sets row[j] = act(row[j] + bias[j]); bias may be nil.
func applyEpilogue(row, bias []float32, act accel.Activation) {
	if bias != nil {
		bias = bias[:len(row)]
		for j := range row {
			row[j] += bias[j]
		}
	}
	applyAct(row, act)
}

// applyAct applies act to every element of v in place.
func applyAct(v []float32, act accel.Activation) {
	switch act {
	case accel.Linear:
	case accel.ReLU:
		// Branch-free: the sign bit, smeared over the word, clears negative values
		// (a branch mispredicts on half of the random-signed inputs).
		for i, x := range v {
			b := math.Float32bits(x)
			v[i] = math.Float32frombits(b &^ uint32(int32(b)>>31))
		}
	case accel.Sigmoid:
		for i, x := range v {
			v[i] = sigmoid(x)
		}
	case accel.Tanh:
		for i, x := range v {
			v[i] = float32(math.Tanh(float64(x)))
		}
	}
}

func sigmoid(x float32) float32 {
	if x >= 0 {
		return float32(1 / (1 + math.Exp(-float64(x))))
	}
	e := math.Exp(float64(x))
	return float32(e / (1 + e))
}

// ActivationBackward computes dz = dy ⊙ act'(z) from y = act(z); see accel.Backend.
func (bk *Backend) ActivationBackward(act accel.Activation, y, dy, dz []float32) {
	checkAct("ActivationBackward", act)
	n := len(y)
	if len(dy) != n || len(dz) != n {
		panicf("ActivationBackward: y, dy and dz have %d, %d and %d elements; want equal lengths", n, len(dy), len(dz))
	}
	if n == 0 {
		return
	}
	switch act {
	case accel.Linear:
		copy(dz, dy)
	case accel.ReLU:
		bk.reluBackward(n, &y[0], &dy[0], &dz[0])
	case accel.Sigmoid, accel.Tanh:
		tanh := act == accel.Tanh
		n8 := n / 8
		if n8 > 0 {
			bk.sigTanhBackward(n8, &y[0], &dy[0], &dz[0], tanh)
		}
		for i := 8 * n8; i < n; i++ {
			v := y[i]
			if tanh {
				dz[i] = dy[i] * (1 - v*v)
			} else {
				dz[i] = dy[i] * v * (1 - v)
			}
		}
	}
}

// applyAct applies act to v in place, vectorised for sigmoid and tanh (whole 8-element
// blocks; the rest element by element).
func (bk *Backend) applyAct(v []float32, act accel.Activation) {
	switch act {
	case accel.Sigmoid, accel.Tanh:
		if n8 := len(v) / 8; n8 > 0 {
			bk.act(n8, &v[0], act == accel.Tanh)
		}
		applyAct(v[len(v)/8*8:], act)
	default:
		applyAct(v, act)
	}
}
