package optimizers

// Saving and restoring optimizers (dl.StatefulOptimizer): hyperparameters by their Keras
// names, and the per-variable slots and step counters, so that dl.SaveModel and
// dl.LoadModel resume training exactly.

import (
	"fmt"
	"sort"
	"strings"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/internal/cfgnum"
)

var (
	_ dl.StatefulOptimizer = (*SGDOptimizer)(nil)
	_ dl.StatefulOptimizer = (*AdamOptimizer)(nil)
	_ dl.StatefulOptimizer = (*RMSpropOptimizer)(nil)
	_ dl.StatefulOptimizer = (*AdagradOptimizer)(nil)
	_ dl.StatefulOptimizer = (*AdadeltaOptimizer)(nil)
)

// param binds one hyperparameter's Keras name to a field: a float64 or a bool.
type param struct {
	name string
	f    *float64
	b    *bool
}

// paramsConfig returns the values of ps by name.
func paramsConfig(ps []param) map[string]any {
	cfg := make(map[string]any, len(ps))
	for _, p := range ps {
		if p.f != nil {
			cfg[p.name] = *p.f
		} else {
			cfg[p.name] = *p.b
		}
	}
	return cfg
}

// setParams sets the fields of ps from cfg, after checking every key and type, so that a
// bad config changes nothing. "name" is accepted and ignored (Keras's configs carry it).
func setParams(op string, ps []param, cfg map[string]any) error {
	byName := make(map[string]param, len(ps))
	for _, p := range ps {
		byName[p.name] = p
	}
	for k, v := range cfg {
		if k == "name" {
			continue
		}
		p, ok := byName[k]
		if !ok {
			return fmt.Errorf("optimizers: %s.SetConfig: unknown hyperparameter %q; known: %s", op, k, paramNames(ps))
		}
		switch {
		case p.f != nil:
			if _, ok := cfgnum.Float(v); !ok {
				return fmt.Errorf("optimizers: %s.SetConfig: %s must be a number, got %T", op, k, v)
			}
		default:
			if _, ok := v.(bool); !ok {
				return fmt.Errorf("optimizers: %s.SetConfig: %s must be a bool, got %T", op, k, v)
			}
		}
	}
	for k, v := range cfg {
		p, ok := byName[k]
		if !ok {
			continue
		}
		if p.f != nil {
			*p.f, _ = cfgnum.Float(v)
		} else {
			*p.b = v.(bool)
		}
	}
	return nil
}

func paramNames(ps []param) string {
	ns := make([]string, len(ps))
	for i, p := range ps {
		ns[i] = p.name
	}
	sort.Strings(ns)
	return strings.Join(ns, ", ")
}

// namedSlots pairs a slot name with the optimizer field that holds it.
type namedSlots struct {
	name string
	s    *slots
}

// slotsState copies the slots of vars, in order, and the counters.
func slotsState(vars []*dl.Tensor, counters map[string]int64, ss []namedSlots) dl.OptimizerState {
	st := dl.OptimizerState{Counters: counters, Slots: map[string][][]float32{}}
	for _, n := range ss {
		per := make([][]float32, len(vars))
		found := false
		for i, v := range vars {
			if b, ok := (*n.s)[v]; ok {
				per[i] = append([]float32(nil), b...)
				found = true
			}
		}
		if found {
			st.Slots[n.name] = per
		}
	}
	return st
}

// setSlotsState checks st against vars and ss, then replaces the slots of vars with copies
// of st's. counterNames lists the counters the optimizer accepts; setCounter sets one.
func setSlotsState(op string, vars []*dl.Tensor, st dl.OptimizerState, ss []namedSlots, counterNames []string, setCounter func(string, int64)) error {
	for k := range st.Counters {
		ok := false
		for _, c := range counterNames {
			ok = ok || c == k
		}
		if !ok {
			return fmt.Errorf("optimizers: %s.SetState: unknown counter %q (known: %s)", op, k, strings.Join(counterNames, ", "))
		}
	}
	known := map[string]bool{}
	for _, n := range ss {
		known[n.name] = true
	}
	for name, per := range st.Slots {
		if !known[name] {
			var ns []string
			for _, n := range ss {
				ns = append(ns, n.name)
			}
			return fmt.Errorf("optimizers: %s.SetState: unknown slot %q (known: %s)", op, name, strings.Join(ns, ", "))
		}
		if len(per) != len(vars) {
			return fmt.Errorf("optimizers: %s.SetState: slot %q has state for %d variables, the model has %d", op, name, len(per), len(vars))
		}
		for i, b := range per {
			if b != nil && len(b) != vars[i].Size() {
				return fmt.Errorf("optimizers: %s.SetState: slot %q of variable %s has %d values, the variable has %d",
					op, name, vars[i].Name(), len(b), vars[i].Size())
			}
		}
	}
	for k, v := range st.Counters {
		setCounter(k, v)
	}
	for _, n := range ss {
		if *n.s == nil {
			*n.s = slots{}
		}
		per := st.Slots[n.name]
		for i, v := range vars {
			if per != nil && per[i] != nil {
				(*n.s)[v] = append([]float32(nil), per[i]...)
			} else {
				delete(*n.s, v)
			}
		}
	}
	return nil
}

func noCounter(string, int64) {}

// --- SGD ---

func (o *SGDOptimizer) params() []param {
	return []param{{name: "learning_rate", f: &o.LearningRate}, {name: "momentum", f: &o.Momentum}, {name: "nesterov", b: &o.Nesterov}}
}

// Config returns learning_rate, momentum and nesterov.
func (o *SGDOptimizer) Config() map[string]any { return paramsConfig(o.params()) }

// SetConfig sets the hyperparameters that Config names.
func (o *SGDOptimizer) SetConfig(cfg map[string]any) error { return setParams("SGD", o.params(), cfg) }

// State returns the "momentum" slot (the velocity) of vars; plain SGD has none.
func (o *SGDOptimizer) State(vars []*dl.Tensor) dl.OptimizerState {
	return slotsState(vars, nil, []namedSlots{{"momentum", &o.velocity}})
}

// SetState restores the "momentum" slot of vars.
func (o *SGDOptimizer) SetState(vars []*dl.Tensor, st dl.OptimizerState) error {
	return setSlotsState("SGD", vars, st, []namedSlots{{"momentum", &o.velocity}}, nil, noCounter)
}

// --- Adam ---

func (o *AdamOptimizer) params() []param {
	return []param{{name: "learning_rate", f: &o.LearningRate}, {name: "beta_1", f: &o.Beta1},
		{name: "beta_2", f: &o.Beta2}, {name: "epsilon", f: &o.Epsilon}}
}

func (o *AdamOptimizer) slotList() []namedSlots { return []namedSlots{{"m", &o.m}, {"v", &o.v}} }

// Config returns learning_rate, beta_1, beta_2 and epsilon.
func (o *AdamOptimizer) Config() map[string]any { return paramsConfig(o.params()) }

// SetConfig sets the hyperparameters that Config names.
func (o *AdamOptimizer) SetConfig(cfg map[string]any) error {
	return setParams("Adam", o.params(), cfg)
}

// State returns the "iterations" counter and the "m" and "v" slots of vars.
func (o *AdamOptimizer) State(vars []*dl.Tensor) dl.OptimizerState {
	return slotsState(vars, map[string]int64{"iterations": int64(o.Iterations)}, o.slotList())
}

// SetState restores the "iterations" counter and the "m" and "v" slots of vars.
func (o *AdamOptimizer) SetState(vars []*dl.Tensor, st dl.OptimizerState) error {
	return setSlotsState("Adam", vars, st, o.slotList(), []string{"iterations"},
		func(_ string, v int64) { o.Iterations = int(v) })
}

// --- RMSprop ---

func (o *RMSpropOptimizer) params() []param {
	return []param{{name: "learning_rate", f: &o.LearningRate}, {name: "rho", f: &o.Rho}, {name: "momentum", f: &o.Momentum},
		{name: "epsilon", f: &o.Epsilon}, {name: "centered", b: &o.Centered}}
}

func (o *RMSpropOptimizer) slotList() []namedSlots {
	return []namedSlots{{"rms", &o.ms}, {"mg", &o.mg}, {"momentum", &o.mom}}
}

// Config returns learning_rate, rho, momentum, epsilon and centered.
func (o *RMSpropOptimizer) Config() map[string]any { return paramsConfig(o.params()) }

// SetConfig sets the hyperparameters that Config names.
func (o *RMSpropOptimizer) SetConfig(cfg map[string]any) error {
	return setParams("RMSprop", o.params(), cfg)
}

// State returns the "rms", "mg" (centered only) and "momentum" (with momentum only) slots
// of vars.
func (o *RMSpropOptimizer) State(vars []*dl.Tensor) dl.OptimizerState {
	return slotsState(vars, nil, o.slotList())
}

// SetState restores the slots that State returns.
func (o *RMSpropOptimizer) SetState(vars []*dl.Tensor, st dl.OptimizerState) error {
	return setSlotsState("RMSprop", vars, st, o.slotList(), nil, noCounter)
}

// --- Adagrad ---

func (o *AdagradOptimizer) params() []param {
	return []param{{name: "learning_rate", f: &o.LearningRate}, {name: "initial_accumulator_value", f: &o.InitialAccumulator},
		{name: "epsilon", f: &o.Epsilon}}
}

// Config returns learning_rate, initial_accumulator_value and epsilon.
func (o *AdagradOptimizer) Config() map[string]any { return paramsConfig(o.params()) }

// SetConfig sets the hyperparameters that Config names.
func (o *AdagradOptimizer) SetConfig(cfg map[string]any) error {
	return setParams("Adagrad", o.params(), cfg)
}

// State returns the "accumulator" slot of vars.
func (o *AdagradOptimizer) State(vars []*dl.Tensor) dl.OptimizerState {
	return slotsState(vars, nil, []namedSlots{{"accumulator", &o.acc}})
}

// SetState restores the "accumulator" slot of vars.
func (o *AdagradOptimizer) SetState(vars []*dl.Tensor, st dl.OptimizerState) error {
	return setSlotsState("Adagrad", vars, st, []namedSlots{{"accumulator", &o.acc}}, nil, noCounter)
}

// --- Adadelta ---

func (o *AdadeltaOptimizer) params() []param {
	return []param{{name: "learning_rate", f: &o.LearningRate}, {name: "rho", f: &o.Rho}, {name: "epsilon", f: &o.Epsilon}}
}

func (o *AdadeltaOptimizer) slotList() []namedSlots {
	return []namedSlots{{"accumulator", &o.acc}, {"delta_accumulator", &o.delta}}
}

// Config returns learning_rate, rho and epsilon.
func (o *AdadeltaOptimizer) Config() map[string]any { return paramsConfig(o.params()) }

// SetConfig sets the hyperparameters that Config names.
func (o *AdadeltaOptimizer) SetConfig(cfg map[string]any) error {
	return setParams("Adadelta", o.params(), cfg)
}

// State returns the "accumulator" and "delta_accumulator" slots of vars.
func (o *AdadeltaOptimizer) State(vars []*dl.Tensor) dl.OptimizerState {
	return slotsState(vars, nil, o.slotList())
}

// SetState restores the slots that State returns.
func (o *AdadeltaOptimizer) SetState(vars []*dl.Tensor, st dl.OptimizerState) error {
	return setSlotsState("Adadelta", vars, st, o.slotList(), nil, noCounter)
}
