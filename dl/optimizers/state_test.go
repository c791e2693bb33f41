package optimizers_test

import (
	"encoding/json"
	"strings"
	"testing"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/optimizers"
)

// TestStateRoundTrip trains a variable for a few steps, copies the optimizer's config and
// state (through JSON, as a saved file does) into a fresh optimizer for a copy of the
// variable, and checks that both then take identical steps.
func TestStateRoundTrip(t *testing.T) {
	rmsC := optimizers.RMSprop()
	rmsC.Centered, rmsC.Momentum = true, 0.8
	cases := []struct {
		name  string
		opt   dl.StatefulOptimizer
		fresh func() dl.StatefulOptimizer
		slots []string
	}{
		{"sgd-momentum", optimizers.SGDMomentum(0.9, false), func() dl.StatefulOptimizer { return optimizers.SGD() }, []string{"momentum"}},
		{"sgd-nesterov", optimizers.SGDMomentum(0.5, true), func() dl.StatefulOptimizer { return optimizers.SGD() }, []string{"momentum"}},
		{"adam", &optimizers.AdamOptimizer{LearningRate: 0.01, Beta1: 0.8, Beta2: 0.99, Epsilon: 1e-6}, func() dl.StatefulOptimizer { return optimizers.Adam() }, []string{"m", "v"}},
		{"rmsprop", optimizers.RMSprop(), func() dl.StatefulOptimizer { return optimizers.RMSprop() }, []string{"rms"}},
		{"rmsprop-centered-momentum", rmsC, func() dl.StatefulOptimizer { return optimizers.RMSprop() }, []string{"rms", "mg", "momentum"}},
		{"adagrad", optimizers.Adagrad(), func() dl.StatefulOptimizer { return optimizers.Adagrad() }, []string{"accumulator"}},
		{"adadelta", optimizers.Adadelta(), func() dl.StatefulOptimizer { return optimizers.Adadelta() }, []string{"accumulator", "delta_accumulator"}},
	}
	grad := func(step int) []*dl.Tensor {
		return []*dl.Tensor{
			dl.FromFloat32([]float32{0.3 - 0.1*float32(step), -0.2, 0.7}, 3),
			nil, // a variable without gradient gets no state
			dl.FromFloat32([]float32{float32(step) * 0.05, 1}, 2),
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			vars := []*dl.Tensor{
				dl.Variable(dl.FromFloat32([]float32{1, 2, 3}, 3), "a"),
				dl.Variable(dl.FromFloat32([]float32{4}, 1), "b"),
				dl.Variable(dl.FromFloat32([]float32{-1, 0.5}, 2), "c"),
			}
			for s := 0; s < 3; s++ {
				c.opt.ApplyGradients(grad(s), vars)
			}
			st := c.opt.State(vars)
			for _, name := range c.slots {
				per := st.Slots[name]
				if per == nil || per[0] == nil || per[1] != nil || per[2] == nil {
					t.Fatalf("slot %q: want state for variables 0 and 2 only, got %v", name, per)
				}
			}
			if len(st.Slots) != len(c.slots) {
				t.Fatalf("slots %v, want %v", st.Slots, c.slots)
			}
			cfgJSON, err := json.Marshal(c.opt.Config())
			if err != nil {
				t.Fatal(err)
			}
			var cfg map[string]any
			if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
				t.Fatal(err)
			}
			o2 := c.fresh()
			if err := o2.SetConfig(cfg); err != nil {
				t.Fatal(err)
			}
			vars2 := make([]*dl.Tensor, len(vars))
			for i, v := range vars {
				vars2[i] = dl.Variable(v.Detach().Clone(), v.Name())
			}
			if err := o2.SetState(vars2, st); err != nil {
				t.Fatal(err)
			}
			// The state handed over is a copy: stepping the first optimizer must not
			// change the second's.
			for s := 3; s < 6; s++ {
				c.opt.ApplyGradients(grad(s), vars)
				o2.ApplyGradients(grad(s), vars2)
			}
			for i := range vars {
				a, b := vars[i].Data(), vars2[i].Data()
				for j := range a {
					if a[j] != b[j] {
						t.Fatalf("variable %d[%d]: %v after restoring, %v straight", i, j, b[j], a[j])
					}
				}
			}
		})
	}
}

func TestSetConfigErrors(t *testing.T) {
	o := optimizers.Adam()
	err := o.SetConfig(map[string]any{"learning_rate": 0.5, "beta_3": 1.0})
	if err == nil || !strings.Contains(err.Error(), `"beta_3"`) {
		t.Fatalf("unknown key: got %v", err)
	}
	if o.LearningRate != 0.001 {
		t.Fatalf("a rejected config changed the learning rate to %v", o.LearningRate)
	}
	err = optimizers.SGD().SetConfig(map[string]any{"nesterov": 1.0})
	if err == nil || !strings.Contains(err.Error(), "nesterov must be a bool") {
		t.Fatalf("wrong type: got %v", err)
	}
}

func TestSetStateErrors(t *testing.T) {
	v := dl.Variable(dl.Zeros(3), "w")
	o := optimizers.SGDMomentum(0.9, false)
	err := o.SetState([]*dl.Tensor{v}, dl.OptimizerState{Slots: map[string][][]float32{"momentum": {{1, 2}}}})
	if err == nil || !strings.Contains(err.Error(), "has 2 values, the variable has 3") {
		t.Fatalf("short slot: got %v", err)
	}
	err = o.SetState([]*dl.Tensor{v}, dl.OptimizerState{Slots: map[string][][]float32{"m": {{1, 2, 3}}}})
	if err == nil || !strings.Contains(err.Error(), `unknown slot "m"`) {
		t.Fatalf("unknown slot: got %v", err)
	}
	err = optimizers.Adam().SetState([]*dl.Tensor{v}, dl.OptimizerState{Counters: map[string]int64{"steps": 1}})
	if err == nil || !strings.Contains(err.Error(), `unknown counter "steps"`) {
		t.Fatalf("unknown counter: got %v", err)
	}
}
