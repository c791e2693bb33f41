package optimizers_test

import (
	"math"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/optimizers"
)

// reference computes TF 2.0's update of one scalar weight w over the gradients gs, in
// float64, written out as TensorFlow's kernels state it.
type reference func(w float64, gs []float64) float64

func sgdRef(lr, mu float64, nesterov bool) reference {
	return func(w float64, gs []float64) float64 {
		v := 0.0
		for _, g := range gs {
			v = mu*v - lr*g
			if nesterov {
				w += mu*v - lr*g
			} else {
				w += v
			}
		}
		return w
	}
}

func adamRef(lr, b1, b2, eps float64) reference {
	return func(w float64, gs []float64) float64 {
		m, v := 0.0, 0.0
		for t, g := range gs {
			n := float64(t + 1)
			lrT := lr * math.Sqrt(1-math.Pow(b2, n)) / (1 - math.Pow(b1, n))
			m = b1*m + (1-b1)*g
			v = b2*v + (1-b2)*g*g
			w -= lrT * m / (math.Sqrt(v) + eps)
		}
		return w
	}
}

func adagradRef(lr, init, eps float64) reference {
	return func(w float64, gs []float64) float64 {
		a := init
		for _, g := range gs {
			a += g * g
			w -= lr * g / (math.Sqrt(a) + eps)
		}
		return w
	}
}

func adadeltaRef(lr, rho, eps float64) reference {
	return func(w float64, gs []float64) float64 {
		a, d := 0.0, 0.0
		for _, g := range gs {
			a = rho*a + (1-rho)*g*g
			u := math.Sqrt(d+eps) / math.Sqrt(a+eps) * g
			d = rho*d + (1-rho)*u*u
			w -= lr * u
		}
		return w
	}
}

func rmspropRef(lr, rho, mu, eps float64, centered bool) reference {
	return func(w float64, gs []float64) float64 {
		s, c, m := 0.0, 0.0, 0.0
		for _, g := range gs {
			s = rho*s + (1-rho)*g*g
			den := s
			if centered {
				c = rho*c + (1-rho)*g
				den = s - c*c
			}
			if mu != 0 {
				m = mu*m + lr*g/math.Sqrt(den+eps)
				w -= m
			} else {
				w -= lr * g / (math.Sqrt(den) + eps)
			}
		}
		return w
	}
}

func TestOptimizersMatchTF(t *testing.T) {
	rms := func(mu float64, centered bool) dl.Optimizer {
		o := optimizers.RMSprop()
		o.Momentum, o.Centered = mu, centered
		return o
	}
	for _, tc := range []struct {
		desc string
		opt  dl.Optimizer
		ref  reference
	}{
		{"SGD", optimizers.SGD(), sgdRef(0.01, 0, false)},
		{"SGD momentum", optimizers.SGDMomentum(0.9, false), sgdRef(0.01, 0.9, false)},
		{"SGD nesterov", optimizers.SGDMomentum(0.9, true), sgdRef(0.01, 0.9, true)},
		{"Adam", optimizers.Adam(), adamRef(0.001, 0.9, 0.999, 1e-7)},
		{"Adagrad", optimizers.Adagrad(), adagradRef(0.001, 0.1, 1e-7)},
		{"Adadelta", optimizers.Adadelta(), adadeltaRef(0.001, 0.95, 1e-7)},
		{"RMSprop", optimizers.RMSprop(), rmspropRef(0.001, 0.9, 0, 1e-7, false)},
		{"RMSprop momentum", rms(0.5, false), rmspropRef(0.001, 0.9, 0.5, 1e-7, false)},
		{"RMSprop centered", rms(0, true), rmspropRef(0.001, 0.9, 0, 1e-7, true)},
		{"RMSprop centered momentum", rms(0.5, true), rmspropRef(0.001, 0.9, 0.5, 1e-7, true)},
	} {
		t.Run(tc.desc, func(t *testing.T) {
			w0 := []float64{0.5, -1.25, 2, 0}
			steps := [][]float64{{0.1, -0.4, 1.5, 0}, {0.3, 0.2, -0.7, 2}, {-0.2, 0.05, 0.9, -1}, {0.6, -0.3, 0.1, 0.5}}
			w := dl.Variable(dl.FromFloat64(w0, 4), "w")
			b := dl.Variable(dl.FromFloat64([]float64{1}, 1), "b")
			for _, g := range steps {
				// b has no gradient: it must stay as it is.
				tc.opt.ApplyGradients([]*dl.Tensor{dl.FromFloat64(g, 4), nil}, []*dl.Tensor{w, b})
			}
			for i := range w0 {
				var gs []float64
				for _, g := range steps {
					gs = append(gs, g[i])
				}
				want := tc.ref(w0[i], gs)
				if got := w.Float64s()[i]; math.Abs(got-want) > 2e-6*math.Max(1, math.Abs(want)) {
					t.Errorf("w[%d] after %d steps = %.8f, TF's formula gives %.8f", i, len(steps), got, want)
				}
			}
			if b.Float64s()[0] != 1 {
				t.Errorf("a variable without gradient changed to %v", b.Float64s()[0])
			}
		})
	}
}

// TestFirstSteps pins a few first-step values worked out by hand.
func TestFirstSteps(t *testing.T) {
	for _, tc := range []struct {
		desc string
		opt  dl.Optimizer
		g    float64
		want float64
	}{
		// w = 1 - 0.01·2
		{"SGD", optimizers.SGD(), 2, 0.98},
		// v = -0.01·2; w = 1 + 0.9·v - 0.02 = 1 - 0.018 - 0.02
		{"SGD nesterov", optimizers.SGDMomentum(0.9, true), 2, 0.962},
		// m = 0.2, v = 0.004, lr_t = 0.001·√0.001/0.1 → w = 1 - 0.001·(2/(2+1e-7·√1000))
		{"Adam", optimizers.Adam(), 2, 1 - 0.001*2/(2+1e-7*math.Sqrt(1000))},
		// a = 0.1 + 4 → w = 1 - 0.001·2/√4.1
		{"Adagrad", optimizers.Adagrad(), 2, 1 - 0.002/math.Sqrt(4.1)},
		// s = 0.1·4 → w = 1 - 0.001·2/√0.4
		{"RMSprop", optimizers.RMSprop(), 2, 1 - 0.002/math.Sqrt(0.4)},
		// a = 0.05·4 = 0.2, u = 2·√1e-7/√(0.2+1e-7)
		{"Adadelta", optimizers.Adadelta(), 2, 1 - 0.001*2*math.Sqrt(1e-7)/math.Sqrt(0.2+1e-7)},
	} {
		w := dl.Variable(dl.FromFloat64([]float64{1}, 1), "w")
		tc.opt.ApplyGradients([]*dl.Tensor{dl.FromFloat64([]float64{tc.g}, 1)}, []*dl.Tensor{w})
		if got := w.Float64s()[0]; math.Abs(got-tc.want) > 1e-7 {
			t.Errorf("%s: w = %.9f after one step, want %.9f", tc.desc, got, tc.want)
		}
	}
}

func TestLearningRateChangesBetweenSteps(t *testing.T) {
	for _, name := range optimizers.Names() {
		opt := optimizers.Get(name).(dl.LearningRater)
		w := dl.Variable(dl.FromFloat64([]float64{1}, 1), "w")
		g := []*dl.Tensor{dl.FromFloat64([]float64{1}, 1)}
		opt.SetLearningRate(0)
		if opt.CurrentLearningRate() != 0 {
			t.Errorf("%s: learning rate %v after SetLearningRate(0)", name, opt.CurrentLearningRate())
		}
		opt.ApplyGradients(g, []*dl.Tensor{w})
		if w.Float64s()[0] != 1 {
			t.Errorf("%s: a step at learning rate 0 moved w to %v", name, w.Float64s()[0])
		}
		opt.SetLearningRate(0.1)
		opt.ApplyGradients(g, []*dl.Tensor{w})
		if w.Float64s()[0] >= 1 {
			t.Errorf("%s: a step at learning rate 0.1 left w at %v", name, w.Float64s()[0])
		}
	}
}

func TestGet(t *testing.T) {
	for name, want := range map[string]string{"sgd": "SGD", "Adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad", "adadelta": "Adadelta"} {
		if got := optimizers.Get(name).Name(); got != want {
			t.Errorf("Get(%q).Name() = %q, want %q", name, got, want)
		}
	}
	err := dl.Maybe(func() { optimizers.Get("adamw") })
	if err == nil || !strings.Contains(err.Error(), `unknown optimizer "adamw"`) || !strings.Contains(err.Error(), "adadelta") {
		t.Errorf("Get(adamw) error = %v, want one naming it and the known names", err)
	}
}

func TestSizeMismatchPanics(t *testing.T) {
	for _, name := range optimizers.Names() {
		err := dl.Maybe(func() {
			optimizers.Get(name).ApplyGradients([]*dl.Tensor{dl.Zeros(3)}, []*dl.Tensor{dl.Variable(dl.Zeros(4), "k")})
		})
		if err == nil || !strings.Contains(err.Error(), "gradient of k has the wrong size") {
			t.Errorf("%s: error = %v", name, err)
		}
	}
}

func TestStepsDoNotAllocate(t *testing.T) {
	for _, name := range optimizers.Names() {
		opt := optimizers.Get(name)
		vars := []*dl.Tensor{dl.Variable(dl.Ones(64), "a"), dl.Variable(dl.Ones(8, 8), "b")}
		grads := []*dl.Tensor{dl.Ones(64), dl.Ones(8, 8)}
		opt.ApplyGradients(grads, vars)
		if n := testing.AllocsPerRun(10, func() { opt.ApplyGradients(grads, vars) }); n != 0 {
			t.Errorf("%s: %v allocations per step after the first", name, n)
		}
	}
}
