package dl

// What every model shares: the Network interface that callbacks see, and modelCore, the
// compile settings and training loops that Sequential and Model both embed, so that Fit,
// Evaluate and Predict are written once. A model supplies its own step functions through
// the stepper interface.

// Network is what Sequential, Model and subclassed models have in common: a Layer with
// layers of its own, compile settings and a training state. It is the model a Callback
// receives in SetModel (Keras's callback.model), and what saving and checkpointing take.
type Network interface {
	Layer
	// Layers returns the model's layers in order (for a functional model, topological
	// order with its InputLayers first, as Keras's model.layers).
	Layers() []Layer
	// GetLayer returns the layer named name, or nil if there is none.
	GetLayer(name string) Layer
	// TrainableWeights returns the variables that optimizers update.
	TrainableWeights() []*Tensor
	// NonTrainableWeights returns the other variables: frozen weights and statistics such
	// as a batch normalization's moving mean.
	NonTrainableWeights() []*Tensor
	// Losses returns the extra losses of the model's layers (LossLayer), nested models
	// included, computed now from the current weights, as Keras's model.losses.
	Losses() []*Tensor
	// Optimizer returns the optimizer set by Compile, nil before.
	Optimizer() Optimizer
	// Loss returns the loss set by Compile, nil before.
	Loss() Loss
	// MetricsNames returns "loss" and the names of the compiled metrics.
	MetricsNames() []string
	// StopTraining reports whether training was asked to stop (Keras's
	// model.stop_training).
	StopTraining() bool
	// SetStopTraining asks Fit to stop after the current step (true), as a callback does
	// with Keras's model.stop_training = True. Fit clears it when it starts.
	SetStopTraining(stop bool)
}

// stepper is how the shared training loops run a model: build it for a batch, and run the
// training and inference steps on a runner's gathered batch.
type stepper interface {
	Network
	// prepare builds the model for the batch x (or checks x's per-sample shape) and
	// returns the runner, made anew when the model or its trainable flags changed.
	prepare(op string, x *Tensor) *runner
	// trainStep runs forward, loss, backward and the optimizer on the gathered batch and
	// returns the batch's mean loss (extra losses included) and the predictions.
	trainStep(r *runner) (float64, *Tensor)
	// inferStep returns the predictions for the gathered batch, in inference mode.
	inferStep(r *runner) *Tensor
	// outputRow returns the per-sample output shape, known once the model is built.
	outputRow() []int
}

// modelCore holds what every model has besides its layers: its name, the compile settings,
// the stop flag and the runner. Its methods (Compile, Fit, Evaluate, Predict, …) are the
// same for every model.
type modelCore struct {
	self stepper // the model embedding this core

	name      string
	stop      bool
	optimizer Optimizer
	loss      Loss
	metrics   []Metric

	run *runner // training and inference buffers, made at first use
}

// Name returns the model's name, such as "sequential" or "model_1".
func (m *modelCore) Name() string { return m.name }

// SetName renames the model.
func (m *modelCore) SetName(name string) { m.name = name }

// StopTraining reports whether a callback asked Fit to stop (Keras's model.stop_training).
func (m *modelCore) StopTraining() bool { return m.stop }

// SetStopTraining asks Fit to stop after the current step (true), as Keras's
// model.stop_training = True; Fit clears it when it starts.
func (m *modelCore) SetStopTraining(stop bool) { m.stop = stop }

// splitTrainable returns the trainable and the non-trainable variables of ws, in order.
func splitTrainable(ws []*Tensor) (trainable, frozen []*Tensor) {
	for _, w := range ws {
		if w.trainable {
			trainable = append(trainable, w)
		} else {
			frozen = append(frozen, w)
		}
	}
	return trainable, frozen
}

// layerLosses collects the extra losses of ls: those of LossLayers and, recursively, of
// nested networks.
func layerLosses(ls []Layer) []*Tensor {
	var out []*Tensor
	for _, l := range ls {
		switch v := l.(type) {
		case Network:
			out = append(out, v.Losses()...)
		case LossLayer:
			out = append(out, v.Losses()...)
		}
	}
	return out
}

// hasLossLayers reports whether any of ls (nested networks included) has extra losses now.
// Every built-in Dense and Conv2D is a LossLayer, most with no losses: those keep the fused
// plain-SGD path of Sequential.
func hasLossLayers(ls []Layer) bool {
	n := 0
	NoGrad(func() { n = len(layerLosses(ls)) })
	return n > 0
}

// addExtraLosses computes the extra losses of ls and returns their sum. When training, it
// also adds the sum's gradients into the variables' Grad (after the layers' backward
// passes, whose kernels replace Grad).
func addExtraLosses(ls []Layer, training bool) float64 {
	var total *Tensor
	compute := func() {
		for _, l := range layerLosses(ls) {
			if l == nil {
				continue
			}
			if l.Size() != 1 {
				l = l.Sum()
			}
			if total == nil {
				total = l
			} else {
				total = total.Add(l)
			}
		}
	}
	if training {
		compute()
	} else {
		NoGrad(compute)
	}
	if total == nil {
		return 0
	}
	if training && total.requiresGrad {
		total.Backward()
	}
	return total.Item()
}
