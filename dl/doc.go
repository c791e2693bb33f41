// Package dl provides tensors, reverse-mode automatic differentiation and Keras-shaped models
// for training neural networks on the CPU.
//
// The simplest use mirrors Keras's Sequential API:
//
//	train, test := datasets.MNIST()
//	x, xTest := train.X.DivScalar(255), test.X.DivScalar(255)
//	model := dl.NewSequential(
//		layers.Flatten(),
//		layers.Dense(128, layers.ReLU),
//		layers.Dense(10, layers.Softmax),
//	)
//	model.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
//	history := model.Fit(x, train.Y, dl.Epochs(5), dl.ValidationData(xTest, test.Y))
//	model.Summary()
//
// # Tensors
//
// A Tensor is an n-dimensional array of float32, uint8 or int32 in row-major order; images
// are NHWC as in Keras. Reshape and Slice return views that share memory with their source.
// Dividing or multiplying a uint8 tensor by a scalar gives a float32 tensor that still stores
// the uint8 bytes and converts them when read (a scaled view): a data set of images stays
// uint8 in memory and Fit converts one batch at a time.
//
// # Autodiff
//
// Operations on float32 tensors record how they were computed when an input requires a
// gradient (a Variable, or a tensor marked with RequireGrad). Backward walks that record in
// reverse topological order and accumulates each input's gradient into Grad.
//
// # Models
//
// A Layer computes its output with tensor operations in Call, which makes any layer
// differentiable. The built-in layers of dl/layers also implement Kernel: a fixed forward and
// backward pass on reused buffers, which Sequential's training loop uses so that a training
// step does not allocate.
//
// Three kinds of model share one training loop (Fit, Evaluate, Predict and their Dataset
// twins, Compile, callbacks):
//
//   - Sequential, a stack of layers;
//   - Model from NewModel, a graph of layer calls made with the functional API, as
//     keras.Model(inputs, outputs): Input gives a symbolic tensor, Apply calls a layer on
//     symbolic tensors (Add and Concatenate take several), and a layer called twice shares
//     its weights;
//   - Model from Subclass, a type of the user's whose Call method runs the layers its fields
//     hold, as a subclass of keras.Model.
//
// A small functional model:
//
//	in := dl.Input(28, 28, 1)
//	h := dl.Apply(layers.Conv2D(32, 3, layers.ReLU), in)
//	out := dl.Apply(layers.Dense(10, layers.Softmax), dl.Apply(layers.Flatten(), h))
//	model := dl.NewModel([]*dl.Tensor{in}, []*dl.Tensor{out})
//
// Every model is a Layer, so models nest; a model's layers are shared, not copied, by a
// model made from part of it (LayerOutput, Model.Output) to cut a feature extractor out or
// graft a new head on. A functional model trains through its layers' kernels where a layer
// appears once, and through Call and autodiff elsewhere; a subclassed model through the
// graph its first training step traces (Subclass), or through Call when it cannot be traced.
// The extra losses of layers (LossLayer: regularizers, AddLoss) count in Fit's loss and
// gradients, and frozen layers (TrainableLayer) keep their weights.
//
// # Training
//
// Compile takes an Optimizer, a Loss and Metrics as values (dl/optimizers, dl/losses,
// dl/metrics); CompileNames takes their Keras names, as model.compile('adam',
// 'sparse_categorical_crossentropy', ['accuracy']) does. Optimizers have TF 2.0's defaults
// and update formulas, keep per-weight state, and implement LearningRater so that callbacks
// can change the rate while training.
//
// Fit calls Callbacks (Keras's callbacks=[...]): hooks at the start and end of training,
// of each epoch and of each step, with the logs so far. History and the progress log are
// callbacks that Fit adds after the caller's; dl/callbacks has EarlyStopping,
// ReduceLROnPlateau, LearningRateScheduler, TerminateOnNaN and CSVLogger. A callback ends
// training with the model's SetStopTraining(true). Callbacks are passed as a slice
// (Callbacks) or one at a time (WithCallback), never as variadic interface arguments, so
// that types declared in notebook cells work.
//
// # Training speed
//
// Sequential's training loop (Fit) runs a fixed schedule of the layers' kernels on buffers
// sized at the first step; after it, a step allocates nothing. Three fusions keep it close to
// the cost of the kernels themselves, each switched on only while Fit runs:
//
//   - softmax + sparse categorical cross-entropy: the last layer computes logits and the
//     backward pass starts from (p - onehot)/batch (SoftmaxKernel, FusedLoss);
//   - plain SGD inside Dense: W ← W - lr·xᵀ·g is one matrix product accumulating into W,
//     so the gradient is never stored (PlainSGD, FusedSGD);
//   - ReLU before max pooling: the pooling layer masks its (smaller) output gradient and
//     the convolution skips its ReLU backward (ReLUProducer, ReLUMaskingPool).
//
// Dense also skips input features that are zero in every sample of a batch (the background
// pixels of an image: 42% of MNIST's 784 per batch of 32), in its product and in its fused
// SGD update; the results are the same up to the order of float32 additions.
//
// Images stay uint8 in memory: Fit converts each batch to float32 through the scaled view's
// table. With more than one core, Fit, Evaluate and Predict convert the next batch on a
// helper goroutine while the current step runs, as long as other processes leave a core
// idle (see prefetch.go); the kernels split products across cores (package accel/cpu).
// Whether either pays depends on the model and, on a virtual machine, on the moment, so Fit
// times blocks of steps with and without them and keeps the fastest (governor.go). None of
// this changes a bit of the results.
//
// # Errors
//
// Programming errors (mismatching shapes, wrong dtypes) panic with an *Error whose text starts
// with "dl: " and names the operation, the layer when there is one, and the shapes involved.
// Maybe turns such a panic into an ordinary error for compiled callers. Problems with files
// and data are returned as errors.
package dl
