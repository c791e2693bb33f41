package dl

// Whole models: SaveModel writes the architecture (layer configurations), the weights, the
// compile settings and the optimizer's state; LoadModel rebuilds the model from them.

import (
	"fmt"
	"io"
	"strings"
)

// savedTraining is the compile settings and the optimizer's state.
type savedTraining struct {
	Optimizer *savedOptimizer `json:"optimizer"`
	Loss      string          `json:"loss"`
	Metrics   []string        `json:"metrics"`
}

// savedOptimizer is an optimizer's name (as RegisterOptimizer knows it), hyperparameters
// and state. Slots[name][i] belongs to the model's i-th weight (in the order of Weights),
// nil when the optimizer has no state for it.
type savedOptimizer struct {
	Class    string                    `json:"class"`
	Config   map[string]any            `json:"config"`
	Counters map[string]int64          `json:"counters,omitempty"`
	Slots    map[string][]*savedTensor `json:"slots,omitempty"`
}

// SaveModel writes m whole to path, as Keras's model.save(): its architecture (the class
// and configuration of every layer), its weights, and when it is compiled its optimizer
// (name, hyperparameters and state), loss and metric names, so that LoadModel gives a model
// that trains on exactly as m would. The format is documented in dl/FORMAT.md. The file is
// written whole or not at all: through a temporary file in the same folder, renamed into
// place.
//
// Every layer must implement ConfigLayer (the built-in ones do) and its class be
// registered with RegisterLayer; the optimizer must implement StatefulOptimizer (those of
// dl/optimizers do). A model written as Go code (a subclassed model) cannot be described
// by configuration: save its weights with SaveWeights and rebuild it in code.
func SaveModel(m Network, path string) error { return SaveCheckpoint(m, path, 0) }

// SaveCheckpoint is SaveModel recording that epochs epochs have been trained (0: unknown),
// which ReadSaveInfo reports, so that training can resume with InitialEpoch(epochs).
// ModelCheckpoint saves through it.
func SaveCheckpoint(m Network, path string, epochs int) error {
	write, err := modelWriter(m, epochs)
	if err != nil {
		return fmt.Errorf("dl: SaveModel %s: %w", path, err)
	}
	if err := writeFileAtomic(path, write); err != nil {
		return fmt.Errorf("dl: SaveModel: %w", err)
	}
	return nil
}

// modelWriter lays m out as a save file of kind "model" and returns the function that
// writes it.
func modelWriter(m Network, epochs int) (func(io.Writer) error, error) {
	cfg, err := modelConfig(m)
	if err != nil {
		return nil, err
	}
	groups := weightGroups(m)
	var w fileWriter
	doc := saveDoc{Kind: "model", Class: m.ClassName(), Name: m.Name(), InputShape: builtInputShape(m), Config: cfg, Epoch: epochs,
		RandomState: randomState()}
	doc.Layers = putWeights(&w, groups)
	type compiled interface {
		Optimizer() Optimizer
		Loss() Loss
		MetricsNames() []string
	}
	if s, ok := m.(compiled); ok && s.Optimizer() != nil {
		tr, err := saveTraining(&w, s.Optimizer(), s.Loss(), s.MetricsNames()[1:], m.Weights())
		if err != nil {
			return nil, err
		}
		doc.Training = tr
	}
	return w.writer(doc)
}

// saveTraining describes the compile settings and writes the optimizer's slots.
func saveTraining(w *fileWriter, opt Optimizer, loss Loss, metrics []string, vars []*Tensor) (*savedTraining, error) {
	so, ok := opt.(StatefulOptimizer)
	if !ok {
		return nil, fmt.Errorf("optimizer %s (%T) cannot be saved: it does not implement dl.StatefulOptimizer; "+
			"save the weights only with SaveWeights, or give the optimizer Config, SetConfig, State and SetState", opt.Name(), opt)
	}
	st := so.State(vars)
	sv := &savedOptimizer{Class: opt.Name(), Config: so.Config(), Counters: st.Counters}
	for name, per := range st.Slots {
		if len(per) != len(vars) {
			return nil, fmt.Errorf("optimizer %s returned slot %q for %d variables, the model has %d", opt.Name(), name, len(per), len(vars))
		}
		refs := make([]*savedTensor, len(per))
		for i, b := range per {
			if b == nil {
				continue
			}
			if len(b) != vars[i].Size() {
				return nil, fmt.Errorf("optimizer %s returned slot %q of %d values for %s, of %d", opt.Name(), name, len(b), vars[i].Name(), vars[i].Size())
			}
			t := w.add(vars[i].Name(), vars[i].shape, b)
			refs[i] = &t
		}
		if sv.Slots == nil {
			sv.Slots = map[string][]*savedTensor{}
		}
		sv.Slots[name] = refs
	}
	return &savedTraining{Optimizer: sv, Loss: loss.Name(), Metrics: metrics}, nil
}

// modelConfig returns the architecture of a model: for a Sequential its name, input shape
// and layers; for a functional Model its layers and graph.
func modelConfig(m Layer) (map[string]any, error) {
	switch v := m.(type) {
	case *Sequential:
		return sequentialConfig(v)
	case *Model:
		return functionalConfig(v)
	}
	return nil, fmt.Errorf("model %q (%s, %T) is written as code and cannot be saved whole: save its weights with SaveWeights, "+
		"then rebuild the model in code and LoadWeights", m.Name(), m.ClassName(), m)
}

// layerEntry returns {"class_name": ..., "config": ...} for l, as Keras lists layers.
func layerEntry(l Layer) (map[string]any, error) {
	var cfg map[string]any
	switch v := l.(type) {
	case *Sequential, *Model:
		c, err := modelConfig(v)
		if err != nil {
			return nil, err
		}
		cfg = c
	case ConfigLayer:
		cfg = v.Config()
	default:
		return nil, fmt.Errorf("layer %s (%s) cannot be saved: it has no Config method; save the weights only with SaveWeights, "+
			"or give the layer Config and register its class with dl.RegisterLayer", l.Name(), l.ClassName())
	}
	return map[string]any{"class_name": l.ClassName(), "config": cfg}, nil
}

// sequentialConfig is a Sequential's configuration: name, per-sample input shape (when
// built) and layers in order.
func sequentialConfig(s *Sequential) (map[string]any, error) {
	ls := make([]any, len(s.layers))
	for i, l := range s.layers {
		e, err := layerEntry(l)
		if err != nil {
			return nil, err
		}
		ls[i] = e
	}
	cfg := map[string]any{"name": s.Name(), "layers": ls}
	if s.inputShape != nil {
		in := make([]any, len(s.inputShape))
		for i, d := range s.inputShape {
			in[i] = d
		}
		cfg["input_shape"] = in
	}
	return cfg, nil
}

// sequentialFromConfig rebuilds a Sequential from sequentialConfig's map (after a JSON
// round trip).
func sequentialFromConfig(cfg map[string]any) (Layer, error) {
	name, _ := cfg["name"].(string)
	raw, ok := cfg["layers"].([]any)
	if !ok {
		return nil, fmt.Errorf("Sequential %q: config has no layers list", name)
	}
	s := newNamedSequential(name)
	for i, r := range raw {
		l, err := layerFromEntry(r)
		if err != nil {
			return nil, fmt.Errorf("Sequential %q, layer %d: %w", s.Name(), i, err)
		}
		if err := Maybe(func() { s.Add(l) }); err != nil {
			return nil, err
		}
	}
	if in, ok := cfg["input_shape"].([]any); ok {
		shape, err := intList(in)
		if err != nil {
			return nil, fmt.Errorf("Sequential %q: input_shape: %w", s.Name(), err)
		}
		if err := Maybe(func() { s.Build(append([]int{-1}, shape...)) }); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func init() { RegisterLayer("Sequential", sequentialFromConfig) }

// newNamedSequential returns an empty Sequential named name without drawing an automatic
// name, so that loading a model does not change the names of the models made after it (as
// a Keras model given a name takes none from the counter); an empty name draws one.
func newNamedSequential(name string) *Sequential {
	if name == "" {
		return NewSequential()
	}
	namesMu.Lock()
	n, had := names["sequential"]
	namesMu.Unlock()
	s := NewSequential()
	namesMu.Lock()
	if had {
		names["sequential"] = n
	} else {
		delete(names, "sequential")
	}
	namesMu.Unlock()
	s.SetName(name)
	return s
}

// layerFromEntry rebuilds a layer from a {"class_name", "config"} entry. A constructor
// that panics with a dl error gives that error.
func layerFromEntry(r any) (l Layer, err error) {
	e, ok := r.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("layer entry is %T, not an object", r)
	}
	class, _ := e["class_name"].(string)
	cfg, _ := e["config"].(map[string]any)
	if class == "" || cfg == nil {
		return nil, fmt.Errorf("layer entry lacks class_name or config")
	}
	func() {
		defer func() {
			if r := recover(); r != nil {
				if e, ok := r.(*Error); ok {
					l, err = nil, e
					return
				}
				l, err = nil, fmt.Errorf("layer class %s cannot be built from its saved config: %v", class, r)
			}
		}()
		l, err = LayerFromConfig(class, cfg)
	}()
	return l, err
}

// intList converts JSON numbers to ints.
func intList(in []any) ([]int, error) {
	out := make([]int, len(in))
	for i, v := range in {
		f, ok := v.(float64)
		if !ok || f != float64(int(f)) {
			return nil, fmt.Errorf("%v is not a list of integers", in)
		}
		out[i] = int(f)
	}
	return out, nil
}

// SaveInfo describes a save file without loading it: what ReadSaveInfo returns.
type SaveInfo struct {
	// Path is the file's path.
	Path string
	// Version is the file's format version.
	Version int
	// Kind is "model" (SaveModel, SaveCheckpoint) or "weights" (SaveWeights).
	Kind string
	// Class and Name are the saved model's class ("Sequential") and name.
	Class, Name string
	// Epochs is the number of epochs trained when the file was written, 0 when unknown:
	// resume with InitialEpoch(Epochs).
	Epochs int
	// Compiled reports whether the file holds compile settings and optimizer state.
	Compiled bool
	// Optimizer, Loss and Metrics are the compile settings' names.
	Optimizer, Loss string
	Metrics         []string
}

// ReadSaveInfo reads and checks the save file at path (magic, version, checksum) and
// describes it.
func ReadSaveInfo(path string) (SaveInfo, error) {
	f, doc, err := readSaveDoc(path)
	if err != nil {
		return SaveInfo{}, err
	}
	info := SaveInfo{Path: path, Version: int(f.version), Kind: doc.Kind, Class: doc.Class, Name: doc.Name, Epochs: doc.Epoch}
	if t := doc.Training; t != nil && t.Optimizer != nil {
		info.Compiled, info.Optimizer, info.Loss, info.Metrics = true, t.Optimizer.Class, t.Loss, t.Metrics
	}
	return info, nil
}

// LoadModel rebuilds a model saved by SaveModel, as Keras's load_model(): the same layers
// (and graph, for a functional Model) with the saved weights, and, when it was compiled,
// compiled again with a new optimizer of the saved name and hyperparameters whose state is
// restored, so that training continues as if it had never stopped (pass InitialEpoch with
// ReadSaveInfo's Epochs to continue the epoch count). The result is a *Sequential or a
// *Model (LoadSequential and LoadFunctional return them typed). It can be used as a layer
// of another model; to use it as a fixed feature extractor, freeze its weights
// (SetTrainable(false) on each of Weights) or load it with LoadFrozen.
//
// The layer classes must be registered (RegisterLayer: importing dl/layers registers the
// built-in ones), as must the optimizer, loss and metric names (importing dl/optimizers,
// dl/losses and dl/metrics registers theirs). Use LoadModelUncompiled to load a model whose
// compile settings cannot be restored. Loading draws nothing from the global random
// source (SetSeed's sequence continues as if the load had not happened). A damaged,
// truncated or foreign file, or one of a newer format version, is an error that names the
// file.
func LoadModel(path string) (Network, error) { return loadModel(path, true, "") }

// RestoreRandomState makes dl's global random source (SetSeed's) continue from its state
// when the model file at path was written. Loading a model leaves the random source alone;
// to continue a run in a new process exactly as if it had never stopped (the same shuffles,
// the same dropout masks), load the model and call RestoreRandomState before Fit.
func RestoreRandomState(path string) error {
	f, doc, err := readSaveDoc(path)
	if err != nil {
		return err
	}
	if len(doc.RandomState) == 0 {
		return f.errorf("the file holds no random state to restore (only whole models saved by this version do)")
	}
	if err := setRandomState(doc.RandomState); err != nil {
		return f.errorf("its random state is unreadable: %v", err)
	}
	return nil
}

// LoadSequential is LoadModel for a file that holds a Sequential model.
func LoadSequential(path string) (*Sequential, error) {
	m, err := loadModel(path, true, "Sequential")
	if err != nil {
		return nil, err
	}
	return m.(*Sequential), nil
}

// LoadFunctional is LoadModel for a file that holds a functional Model.
func LoadFunctional(path string) (*Model, error) {
	m, err := loadModel(path, true, "Model")
	if err != nil {
		return nil, err
	}
	return m.(*Model), nil
}

// LoadModelUncompiled is LoadModel without the compile settings, as Keras's
// load_model(compile=False): the architecture and the weights only. Compile the model
// before training it.
func LoadModelUncompiled(path string) (Network, error) { return loadModel(path, false, "") }

// LoadFrozen loads a model saved by SaveModel as a fixed feature extractor, as
// hub.KerasLayer(..., trainable=False) gives one: uncompiled, every weight frozen
// (SetTrainable(false)), ready to be the first layer of a new model whose other layers
// train.
func LoadFrozen(path string) (Network, error) {
	m, err := loadModel(path, false, "")
	if err != nil {
		return nil, err
	}
	freeze(m)
	return m, nil
}

// freeze makes every weight of m non-trainable, through the layers' own switch where they
// have one (TrainableLayer), so that their state agrees.
func freeze(l Layer) {
	if t, ok := l.(TrainableLayer); ok {
		t.SetTrainable(false)
	}
	if n, ok := l.(interface{ Layers() []Layer }); ok {
		for _, sub := range n.Layers() {
			freeze(sub)
		}
	}
	for _, w := range l.Weights() {
		w.SetTrainable(false)
	}
}

func loadModel(path string, compile bool, class string) (Network, error) {
	f, doc, err := readSaveDoc(path)
	if err != nil {
		return nil, err
	}
	if doc.Kind != "model" {
		return nil, f.errorf("holds %s only (kind %q), not a whole model: build the model in code and call LoadWeights", doc.Kind, doc.Kind)
	}
	if class != "" && doc.Class != class {
		return nil, f.errorf("holds a %s model, not a %s: load it with LoadModel", doc.Class, class)
	}
	var fromConfig func(map[string]any) (Layer, error)
	switch doc.Class {
	case "Sequential":
		fromConfig = sequentialFromConfig
	case "Model":
		fromConfig = functionalFromConfig
	default:
		return nil, f.errorf("holds a model of class %q, which this godl cannot rebuild", doc.Class)
	}
	var l Layer
	withPrivateRand(func() { l, err = fromConfig(doc.Config) })
	if err != nil {
		return nil, f.errorf("cannot rebuild the model: %v", err)
	}
	m := l.(Network)
	if s, ok := m.(*Sequential); ok && s.inputShape == nil && doc.InputShape != nil {
		if err := Maybe(func() { withPrivateRand(func() { s.Build(append([]int{-1}, doc.InputShape...)) }) }); err != nil {
			return nil, f.errorf("cannot build the model for input shape %v: %v", doc.InputShape, err)
		}
	}
	groups := weightGroups(m)
	if len(groups) > 0 || len(doc.Layers) > 0 {
		vals, err := readWeights(f, doc, groups)
		if err != nil {
			return nil, err
		}
		setAll(groups, vals)
		restoreTrainable(groups, doc)
	}
	if compile && doc.Training != nil {
		if err := restoreTraining(f, m, doc.Training); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// restoreTrainable sets each weight's trainable flag as saved.
func restoreTrainable(groups []weightGroup, doc *saveDoc) {
	for i, g := range groups {
		for j, w := range g.weights {
			if t := doc.Layers[i].Weights[j].Trainable; t != nil {
				w.SetTrainable(*t)
			}
		}
	}
}

// restoreTraining compiles s as saved: a new optimizer of the saved name with its
// hyperparameters and state, the loss and the metrics, found by name.
func restoreTraining(f *saveFile, s Network, t *savedTraining) error {
	o := t.Optimizer
	if o == nil {
		return f.errorf("compile settings have no optimizer")
	}
	newOpt, ok := registered(&registry.optimizers, o.Class)
	if !ok {
		return f.errorf("optimizer %q is not registered: import godl.dev/godl/dl/optimizers, or register it with dl.RegisterOptimizer, "+
			"or load with LoadModelUncompiled", o.Class)
	}
	opt, ok := newOpt().(StatefulOptimizer)
	if !ok {
		return f.errorf("optimizer %q does not implement dl.StatefulOptimizer, so its state cannot be restored", o.Class)
	}
	if err := opt.SetConfig(o.Config); err != nil {
		return f.errorf("optimizer %s: %v", o.Class, err)
	}
	vars := s.Weights()
	st := OptimizerState{Counters: o.Counters, Slots: map[string][][]float32{}}
	for name, refs := range o.Slots {
		if len(refs) != len(vars) {
			return f.errorf("optimizer slot %q has state for %d variables, the model has %d", name, len(refs), len(vars))
		}
		per := make([][]float32, len(vars))
		for i, r := range refs {
			if r == nil {
				continue
			}
			if !sameShape(r.Shape, vars[i].shape) {
				return f.errorf("optimizer slot %q of %s has shape %s, the weight %s", name, vars[i].Name(), shapeString(r.Shape), shapeString(vars[i].shape))
			}
			v, err := f.tensor(*r)
			if err != nil {
				return err
			}
			per[i] = v
		}
		st.Slots[name] = per
	}
	if err := opt.SetState(vars, st); err != nil {
		return f.errorf("%v", err)
	}
	newLoss, ok := registered(&registry.losses, t.Loss)
	if !ok {
		return f.errorf("loss %q is not registered: import godl.dev/godl/dl/losses, or register it with dl.RegisterLoss, "+
			"or load with LoadModelUncompiled", t.Loss)
	}
	var ms []Metric
	for _, name := range t.Metrics {
		newMetric, ok := registered(&registry.metrics, name)
		if !ok {
			return f.errorf("metric %q is not registered: import godl.dev/godl/dl/metrics, or register it with dl.RegisterMetric, "+
				"or load with LoadModelUncompiled and compile again", name)
		}
		ms = append(ms, newMetric())
	}
	c, ok := s.(interface {
		Compile(optimizer Optimizer, loss Loss, metrics ...Metric)
	})
	if !ok {
		return f.errorf("model %q (%T) has no Compile method", s.Name(), s)
	}
	c.Compile(opt, newLoss(), ms...)
	return nil
}

// registered looks name up in one of CompileNames's registries.
func registered[T any](m *map[string]T, name string) (T, bool) {
	registry.Lock()
	defer registry.Unlock()
	v, ok := (*m)[strings.ToLower(name)]
	return v, ok
}

// Save writes the whole model to path; see SaveModel.
func (m *Sequential) Save(path string) error { return SaveModel(m, path) }
