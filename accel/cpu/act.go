package cpu

import (
	"math"

	"godl.dev/godl/accel"
)

// epilogue sets row[j] = act(row[j] + bias[j]); bias may be nil.
func (bk *Backend) epilogue(row, bias []float32, act accel.Activation) {
	if len(row) == 0 {
		return
	}
	if act == accel.Linear || act == accel.ReLU {
		flags := 0
		var bp *float32
		if bias != nil {
			flags |= epiBias
			bp = &bias[:len(row)][0]
		}
		if act == accel.ReLU {
			flags |= epiReLU
		}
		if flags != 0 {
			bk.biasReLU(len(row), &row[0], bp, flags)
		}
		return
	}
	applyEpilogue(row, bias, act)
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
