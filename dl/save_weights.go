package dl

// Weights only: GetWeights and SetWeights (copies in memory, as Keras's get_weights and
// set_weights), SaveWeights and LoadWeights (a save file of kind "weights").

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// weightGroup is one layer's weights, named by its path in nested models
// ("sequential_1/dense").
type weightGroup struct {
	path    string
	class   string
	weights []*Tensor
}

// weightGroups lists the layers of m that have weights, depth first through nested models,
// in the order of m.Weights(). A layer listed twice (shared) appears once. A model without
// Layers (a layer, a model written as code), or whose layers do not account for its
// weights in order, is one group.
func weightGroups(m Layer) []weightGroup {
	type layered interface{ Layers() []Layer }
	var out []weightGroup
	seen := map[*Tensor]bool{}
	var walk func(prefix string, l Layer)
	walk = func(prefix string, l Layer) {
		if n, ok := l.(layered); ok {
			for _, sub := range n.Layers() {
				walk(prefix+l.Name()+"/", sub)
			}
			return
		}
		ws := l.Weights()
		if len(ws) == 0 || seen[ws[0]] {
			return
		}
		for _, w := range ws {
			seen[w] = true
		}
		out = append(out, weightGroup{path: prefix + l.Name(), class: l.ClassName(), weights: ws})
	}
	all := m.Weights()
	if n, ok := m.(layered); ok {
		for _, sub := range n.Layers() {
			walk("", sub)
		}
		i := 0
		for _, g := range out {
			for _, w := range g.weights {
				if i >= len(all) || all[i] != w {
					i = -1
					break
				}
				i++
			}
			if i < 0 {
				break
			}
		}
		if i == len(all) {
			return out
		}
	}
	if len(all) == 0 {
		return nil
	}
	return []weightGroup{{path: m.Name(), class: m.ClassName(), weights: all}}
}

// GetWeights returns copies of the values of all m's weights, in the order of m.Weights()
// (layer by layer, trainable ones first within a layer), as Keras's model.get_weights().
// Changing them does not change the model; SetWeights puts them back.
func GetWeights(m Layer) []*Tensor {
	ws := m.Weights()
	out := make([]*Tensor, len(ws))
	for i, w := range ws {
		out[i] = w.Clone()
	}
	return out
}

// SetWeights copies the values of ws into m's weights, in the order GetWeights returns
// them, as Keras's model.set_weights(). The model must be built. A wrong count, or a tensor
// whose shape differs from its weight's, is an error that names the layer and both shapes,
// and then no weight is changed.
func SetWeights(m Layer, ws []*Tensor) error {
	groups := weightGroups(m)
	total := 0
	for _, g := range groups {
		total += len(g.weights)
	}
	if total == 0 && len(ws) > 0 {
		return fmt.Errorf("dl: SetWeights: model %q has no weights yet: build it first (Build, or a Fit)", m.Name())
	}
	if len(ws) != total {
		return fmt.Errorf("dl: SetWeights: model %q has %d weights (%s), got %d tensors", m.Name(), total, groupSummary(groups), len(ws))
	}
	i := 0
	for _, g := range groups {
		for j, w := range g.weights {
			if ws[i] == nil {
				return fmt.Errorf("dl: SetWeights: layer %s: weight %d (%s) is nil", g.path, j, w.Name())
			}
			if !sameShape(ws[i].Shape(), w.shape) {
				return fmt.Errorf("dl: SetWeights: layer %s: weight %d (%s) has shape %s, got %s",
					g.path, j, w.Name(), shapeString(w.shape), shapeString(ws[i].Shape()))
			}
			i++
		}
	}
	i = 0
	for _, g := range groups {
		for _, w := range g.weights {
			w.CopyFrom(ws[i])
			i++
		}
	}
	return nil
}

// groupSummary lists groups as "dense: 2, dense_1: 2" for error messages.
func groupSummary(groups []weightGroup) string {
	parts := make([]string, len(groups))
	for i, g := range groups {
		parts[i] = fmt.Sprintf("%s: %d", g.path, len(g.weights))
	}
	return strings.Join(parts, ", ")
}

// saveDoc is the JSON section of a save file (dl/FORMAT.md).
type saveDoc struct {
	// Kind is "model" (SaveModel) or "weights" (SaveWeights).
	Kind string `json:"kind"`
	// Class and Name are the saved model's ClassName and Name.
	Class string `json:"class"`
	Name  string `json:"name"`
	// InputShape is the per-sample input shape the model was built for, when known.
	InputShape []int `json:"input_shape,omitempty"`
	// Config is the model's architecture (kind "model" only).
	Config map[string]any `json:"config,omitempty"`
	// Layers holds the weights, layer by layer.
	Layers []savedLayer `json:"layers"`
	// Training holds the compile settings and the optimizer's state (kind "model", when
	// the model was compiled).
	Training *savedTraining `json:"training,omitempty"`
	// Epoch is the number of epochs trained when the file was written (SaveCheckpoint), 0
	// when unknown.
	Epoch int `json:"epoch,omitempty"`
	// RandomState is the global random source's state when the file was written (kind
	// "model"), which RestoreRandomState restores; encoded as base64 by encoding/json.
	RandomState []byte `json:"random_state,omitempty"`
}

// savedLayer is one layer's weights.
type savedLayer struct {
	Name    string        `json:"name"`
	Class   string        `json:"class"`
	Weights []savedTensor `json:"weights"`
}

// putWeights writes the weights of m's layers into w and returns their entries.
func putWeights(w *fileWriter, groups []weightGroup) []savedLayer {
	out := make([]savedLayer, len(groups))
	for i, g := range groups {
		sl := savedLayer{Name: g.path, Class: g.class, Weights: make([]savedTensor, len(g.weights))}
		for j, t := range g.weights {
			st := w.add(t.Name(), t.shape, t.Data())
			tr := t.trainable
			st.Trainable = &tr
			sl.Weights[j] = st
		}
		out[i] = sl
	}
	return out
}

// builtInputShape returns the per-sample input shape of a built Sequential, else nil.
func builtInputShape(m Layer) []int {
	if s, ok := m.(*Sequential); ok && s.inputShape != nil {
		return cloneShape(s.inputShape)
	}
	return nil
}

// SaveWeights writes the values of all m's weights to path (a save file of kind
// "weights", dl/FORMAT.md), as Keras's model.save_weights(). The file is written whole or
// not at all: through a temporary file in the same folder, renamed into place.
func SaveWeights(m Layer, path string) error {
	groups := weightGroups(m)
	if len(groups) == 0 {
		return fmt.Errorf("dl: SaveWeights %s: model %q has no weights: build it first (Build, or a Fit)", path, m.Name())
	}
	var w fileWriter
	doc := saveDoc{Kind: "weights", Class: m.ClassName(), Name: m.Name(), InputShape: builtInputShape(m)}
	doc.Layers = putWeights(&w, groups)
	write, err := w.writer(doc)
	if err != nil {
		return fmt.Errorf("dl: SaveWeights %s: %w", path, err)
	}
	if err := writeFileAtomic(path, write); err != nil {
		return fmt.Errorf("dl: SaveWeights: %w", err)
	}
	return nil
}

// LoadWeights sets m's weights from a file written by SaveWeights or SaveModel, as Keras's
// model.load_weights(). Layers are matched in order, counting only layers with weights, as
// Keras matches them; their names may differ. An unbuilt Sequential is first built for
// the input shape the file records. A file of another architecture is an error that names
// the layer, the weight and both shapes; a damaged file is an error that names the file.
// On any error no weight is changed.
func LoadWeights(m Layer, path string) error {
	f, doc, err := readSaveDoc(path)
	if err != nil {
		return err
	}
	if s, ok := m.(*Sequential); ok && s.inputShape == nil && doc.InputShape != nil {
		var berr error
		withPrivateRand(func() { berr = Maybe(func() { s.Build(append([]int{-1}, doc.InputShape...)) }) })
		if berr != nil {
			return fmt.Errorf("dl: %s: building model %q for the saved input shape: %w", path, m.Name(), berr)
		}
	}
	vals, err := readWeights(f, doc, weightGroups(m))
	if err != nil {
		return err
	}
	setAll(weightGroups(m), vals)
	return nil
}

// readWeights reads the saved weights of doc for the layers groups of a model, checking
// that they match one to one.
func readWeights(f *saveFile, doc *saveDoc, groups []weightGroup) ([][]float32, error) {
	if len(groups) == 0 {
		return nil, f.errorf("the model has no weights yet: build it first (Build, or a Fit), then load the weights")
	}
	if len(doc.Layers) != len(groups) {
		saved := make([]string, len(doc.Layers))
		for i, l := range doc.Layers {
			saved[i] = l.Name
		}
		model := make([]string, len(groups))
		for i, g := range groups {
			model[i] = g.path
		}
		return nil, f.errorf("the file has weights for %d layers (%s), the model has %d layers with weights (%s)",
			len(doc.Layers), strings.Join(saved, ", "), len(groups), strings.Join(model, ", "))
	}
	var vals [][]float32
	for i, g := range groups {
		sl := doc.Layers[i]
		which := "layer " + g.path
		if sl.Name != g.path {
			which += " (saved as " + sl.Name + ")"
		}
		if len(sl.Weights) != len(g.weights) {
			return nil, f.errorf("%s: the file has %d weights, the model's layer has %d", which, len(sl.Weights), len(g.weights))
		}
		for j, w := range g.weights {
			st := sl.Weights[j]
			if !sameShape(st.Shape, w.shape) {
				return nil, f.errorf("%s: weight %d (%s) has shape %s in the file, %s in the model",
					which, j, w.Name(), shapeString(st.Shape), shapeString(w.shape))
			}
			v, err := f.tensor(st)
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
	}
	return vals, nil
}

// setAll copies vals into the weights of groups, in order.
func setAll(groups []weightGroup, vals [][]float32) {
	i := 0
	for _, g := range groups {
		for _, w := range g.weights {
			copy(w.Data(), vals[i])
			i++
		}
	}
}

// withPrivateRand runs fn with the global random source replaced by a private one, so
// that building layers whose initial weights are about to be overwritten draws nothing
// from the session's random sequence: a run that saves and loads a model continues the
// same shuffles as one that does not.
func withPrivateRand(fn func()) {
	rngMu.Lock()
	saved := rng
	rng = rand.New(rand.NewPCG(0x5eed, 0x10ad))
	rngMu.Unlock()
	defer func() {
		rngMu.Lock()
		rng = saved
		rngMu.Unlock()
	}()
	fn()
}

// GetWeights returns copies of the model's weights; see the function GetWeights.
func (m *Sequential) GetWeights() []*Tensor { return GetWeights(m) }

// SetWeights copies ws into the model's weights; see the function SetWeights.
func (m *Sequential) SetWeights(ws []*Tensor) error { return SetWeights(m, ws) }

// SaveWeights writes the model's weights to path; see the function SaveWeights.
func (m *Sequential) SaveWeights(path string) error { return SaveWeights(m, path) }

// LoadWeights sets the model's weights from path; see the function LoadWeights.
func (m *Sequential) LoadWeights(path string) error { return LoadWeights(m, path) }
