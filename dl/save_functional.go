package dl

// Functional models in save files: the layers by configuration and the graph of their
// calls, replayed with Input and Apply on load.
//
// A functional model's config is
//
//	{"name": "model",
//	 "layers": [{"class_name": "InputLayer", "config": {"name": "input_1", "batch_input_shape": [null, 28, 28, 1]}},
//	            {"class_name": "Dense", "config": {...}}, ...],
//	 "nodes": [{"layer": "dense", "inputs": [["input_1", 0]]}, ...],
//	 "input_layers": [["input_1", 0]],
//	 "output_layers": [["dense", 0]]}
//
// "layers" lists the model's Layers in order. "nodes" lists the calls of layers other than
// InputLayers, inputs before the calls that use them; each input is [layer name, call
// index], the call index counting that layer's calls in this list (an InputLayer has one
// call, 0). Replaying the calls in order with Apply rebuilds the same graph.

import (
	"fmt"
)

// functionalConfig describes a functional model. A subclassed model has no graph.
func functionalConfig(m *Model) (map[string]any, error) {
	if m.sub != nil {
		return nil, fmt.Errorf("model %q (%s) is a subclassed model, written as Go code, and cannot be saved whole: "+
			"save its weights with SaveWeights, then rebuild the model in code and LoadWeights", m.Name(), m.ClassName())
	}
	ls := make([]any, 0, len(m.layers))
	for _, l := range m.layers {
		var e map[string]any
		if in, ok := l.(*InputLayer); ok {
			shape := make([]any, len(in.shape))
			for i, d := range in.shape {
				if d >= 0 {
					shape[i] = d
				}
			}
			e = map[string]any{"class_name": "InputLayer", "config": map[string]any{"name": in.name, "batch_input_shape": shape}}
		} else {
			var err error
			if e, err = layerEntry(l); err != nil {
				return nil, err
			}
		}
		ls = append(ls, e)
	}
	// Name each node by its layer and its index among that layer's calls in m.nodes.
	type ref = []any
	refs := map[*graphNode]ref{}
	calls := map[Layer]int{}
	var nodes []any
	for _, n := range m.nodes {
		refs[n] = ref{n.layer.Name(), calls[n.layer]}
		calls[n.layer]++
		if _, ok := n.layer.(*InputLayer); ok {
			continue
		}
		ins := make([]any, len(n.inputs))
		for i, t := range n.inputs {
			r, ok := refs[t.sym.node]
			if !ok {
				return nil, fmt.Errorf("model %q: the input of a call of layer %s comes from outside the model", m.Name(), n.layer.Name())
			}
			ins[i] = r
		}
		nodes = append(nodes, map[string]any{"layer": n.layer.Name(), "inputs": ins})
	}
	ends := func(ts []*Tensor) []any {
		out := make([]any, len(ts))
		for i, t := range ts {
			out[i] = refs[t.sym.node]
		}
		return out
	}
	return map[string]any{"name": m.Name(), "layers": ls, "nodes": nodes,
		"input_layers": ends(m.inputs), "output_layers": ends(m.outputs)}, nil
}

// functionalFromConfig rebuilds a functional model from functionalConfig's map (after a
// JSON round trip).
func functionalFromConfig(cfg map[string]any) (Layer, error) {
	name, _ := cfg["name"].(string)
	rawLayers, ok1 := cfg["layers"].([]any)
	rawNodes, ok2 := cfg["nodes"].([]any)
	if cfg["nodes"] == nil {
		rawNodes, ok2 = nil, true
	}
	rawIn, ok3 := cfg["input_layers"].([]any)
	rawOut, ok4 := cfg["output_layers"].([]any)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return nil, fmt.Errorf("Model %q: config lacks layers, nodes, input_layers or output_layers", name)
	}
	byName := map[string]Layer{}
	outs := map[string][]*Tensor{} // each layer's call outputs, in order
	for i, r := range rawLayers {
		e, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Model %q: layer %d is %T, not an object", name, i, r)
		}
		if e["class_name"] == "InputLayer" {
			c, _ := e["config"].(map[string]any)
			lname, _ := c["name"].(string)
			shape, _ := c["batch_input_shape"].([]any)
			if lname == "" || len(shape) == 0 {
				return nil, fmt.Errorf("Model %q: InputLayer %d lacks a name or batch_input_shape", name, i)
			}
			dims := make([]int, len(shape)-1)
			for j, d := range shape[1:] {
				f, ok := d.(float64)
				if d == nil {
					f, ok = -1, true
				}
				if !ok || f != float64(int(f)) {
					return nil, fmt.Errorf("Model %q: InputLayer %s has shape %v", name, lname, shape)
				}
				dims[j] = int(f)
			}
			var t *Tensor
			if err := Maybe(func() { t = InputNamed(lname, dims...) }); err != nil {
				return nil, err
			}
			byName[lname] = t.sym.node.layer
			outs[lname] = []*Tensor{t}
			continue
		}
		l, err := layerFromEntry(r)
		if err != nil {
			return nil, fmt.Errorf("Model %q, layer %d: %w", name, i, err)
		}
		byName[l.Name()] = l
	}
	lookup := func(r any) (*Tensor, error) {
		pair, ok := r.([]any)
		if !ok || len(pair) != 2 {
			return nil, fmt.Errorf("Model %q: %v is not a [layer, call] pair", name, r)
		}
		lname, _ := pair[0].(string)
		k, ok := pair[1].(float64)
		if !ok || k < 0 || int(k) >= len(outs[lname]) {
			return nil, fmt.Errorf("Model %q: call %v of layer %q is used before it is made", name, pair[1], lname)
		}
		return outs[lname][int(k)], nil
	}
	for i, r := range rawNodes {
		n, ok := r.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Model %q: node %d is %T, not an object", name, i, r)
		}
		lname, _ := n["layer"].(string)
		l := byName[lname]
		rawIns, _ := n["inputs"].([]any)
		if l == nil || len(rawIns) == 0 {
			return nil, fmt.Errorf("Model %q: node %d calls layer %q, which is not among the model's layers, or has no inputs", name, i, lname)
		}
		xs := make([]*Tensor, len(rawIns))
		for j, ri := range rawIns {
			x, err := lookup(ri)
			if err != nil {
				return nil, err
			}
			xs[j] = x
		}
		var y *Tensor
		if err := Maybe(func() { y = Apply(l, xs...) }); err != nil {
			return nil, err
		}
		outs[lname] = append(outs[lname], y)
	}
	ends := func(raw []any) ([]*Tensor, error) {
		ts := make([]*Tensor, len(raw))
		for i, r := range raw {
			t, err := lookup(r)
			if err != nil {
				return nil, err
			}
			ts[i] = t
		}
		return ts, nil
	}
	ins, err := ends(rawIn)
	if err != nil {
		return nil, err
	}
	outTs, err := ends(rawOut)
	if err != nil {
		return nil, err
	}
	var m *Model
	if err := Maybe(func() { m = NewModel(ins, outTs, name) }); err != nil {
		return nil, err
	}
	return m, nil
}

func init() { RegisterLayer("Model", functionalFromConfig) }

// Save writes the whole model to path; see SaveModel.
func (m *Model) Save(path string) error { return SaveModel(m, path) }

// GetWeights returns copies of the model's weights; see the function GetWeights.
func (m *Model) GetWeights() []*Tensor { return GetWeights(m) }

// SetWeights copies ws into the model's weights; see the function SetWeights.
func (m *Model) SetWeights(ws []*Tensor) error { return SetWeights(m, ws) }

// SaveWeights writes the model's weights to path; see the function SaveWeights.
func (m *Model) SaveWeights(path string) error { return SaveWeights(m, path) }

// LoadWeights sets the model's weights from path; see the function LoadWeights.
func (m *Model) LoadWeights(path string) error { return LoadWeights(m, path) }
