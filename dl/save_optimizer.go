package dl

// OptimizerState is what an optimizer carries from one step to the next, as Keras's
// optimizer.get_weights() holds it: step counters and per-variable slots (momentum,
// moment estimates, accumulators). SaveModel stores it so that training resumes exactly
// where it stopped.
type OptimizerState struct {
	// Counters holds the step counters by name, such as "iterations" for Adam.
	Counters map[string]int64
	// Slots holds the per-variable state by slot name ("momentum", "m", "v", ...):
	// Slots[name][i] belongs to the i-th variable given to State or SetState, and is nil
	// for a variable the optimizer has no state for yet (one it has not updated).
	Slots map[string][][]float32
}

// StatefulOptimizer is an optimizer whose hyperparameters and state can be saved and
// restored, as Keras's optimizer get_config/from_config and get_weights/set_weights. Every
// optimizer of dl/optimizers implements it; SaveModel needs it to save an optimizer, and
// LoadModel makes a new optimizer of the saved name (RegisterOptimizer) and calls SetConfig
// and SetState on it.
type StatefulOptimizer interface {
	Optimizer
	// Config returns the hyperparameters by their Keras names ("learning_rate",
	// "momentum", ...) as JSON-compatible values (float64, bool, string).
	Config() map[string]any
	// SetConfig sets the hyperparameters from a map that Config returned (after a JSON
	// round trip: numbers are float64). Keys it leaves out keep their value. An unknown
	// key or a value of the wrong type is an error that names it.
	SetConfig(cfg map[string]any) error
	// State returns a copy of the counters and of the slots of vars, in the order of vars.
	State(vars []*Tensor) OptimizerState
	// SetState sets the counters that st names and replaces the slots of vars (in the
	// order of vars) with copies of st's: a variable with no slot in st starts afresh. A slot whose length differs from its variable's size, or an unknown
	// slot or counter name, is an error that names it.
	SetState(vars []*Tensor, st OptimizerState) error
}
