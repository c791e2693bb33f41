package stdlib

import (
	"reflect"
	"sort"

	"godl.dev/godl/dl"
)

// Composed wrappers for layers written in cells. yaegi hands a cell's layer to compiled code
// (Sequential.Add, a model's constructor) wrapped in the generated _godl_dev_godl_dl_Layer,
// which has only dl.Layer's methods: Fit could not see that the layer has losses
// (dl.LossLayer), can be frozen (dl.TrainableLayer) or describes its configuration
// (dl.ConfigLayer). These wrappers add those methods; MapTypes lists them under the base
// wrapper, most methods first, and yaegi picks the first whose methods the cell's type has
// all of. A type embedding dl.LayerBase has every one of them and gets _dl_Layer_Base.

// _dl_Layer_Base is a dl.Layer that is also every optional layer interface and has Built
// and Layer: the methods of a type embedding dl.LayerBase.
type _dl_Layer_Base struct {
	IValue        interface{}
	WBuild        func(inputShape []int)
	WBuilt        func() bool
	WCall         func(x *dl.Tensor, training bool) *dl.Tensor
	WClassName    func() string
	WConfig       func() map[string]any
	WLayer        func() dl.Layer
	WLosses       func() []*dl.Tensor
	WName         func() string
	WOutputShape  func(inputShape []int) []int
	WSetTrainable func(on bool)
	WTrainable    func() bool
	WWeights      func() []*dl.Tensor
}

func (W _dl_Layer_Base) Build(inputShape []int)                      { W.WBuild(inputShape) }
func (W _dl_Layer_Base) Built() bool                                 { return W.WBuilt() }
func (W _dl_Layer_Base) Call(x *dl.Tensor, training bool) *dl.Tensor { return W.WCall(x, training) }
func (W _dl_Layer_Base) ClassName() string                           { return W.WClassName() }
func (W _dl_Layer_Base) Config() map[string]any                      { return W.WConfig() }
func (W _dl_Layer_Base) Layer() dl.Layer                             { return W.WLayer() }
func (W _dl_Layer_Base) Losses() []*dl.Tensor                        { return W.WLosses() }
func (W _dl_Layer_Base) Name() string                                { return W.WName() }
func (W _dl_Layer_Base) OutputShape(inputShape []int) []int          { return W.WOutputShape(inputShape) }
func (W _dl_Layer_Base) SetTrainable(on bool)                        { W.WSetTrainable(on) }
func (W _dl_Layer_Base) Trainable() bool                             { return W.WTrainable() }
func (W _dl_Layer_Base) Weights() []*dl.Tensor                       { return W.WWeights() }

var _ interface {
	dl.Layer
	dl.ConfigLayer
	dl.LossLayer
	dl.TrainableLayer
	interface {
		Built() bool
		Layer() dl.Layer
	}
} = _dl_Layer_Base{}

// _dl_Layer_Loss_Trainable_Config is a dl.Layer that is also dl.LossLayer, dl.TrainableLayer and dl.ConfigLayer.
type _dl_Layer_Loss_Trainable_Config struct {
	IValue        interface{}
	WBuild        func(inputShape []int)
	WCall         func(x *dl.Tensor, training bool) *dl.Tensor
	WClassName    func() string
	WConfig       func() map[string]any
	WLosses       func() []*dl.Tensor
	WName         func() string
	WOutputShape  func(inputShape []int) []int
	WSetTrainable func(on bool)
	WTrainable    func() bool
	WWeights      func() []*dl.Tensor
}

func (W _dl_Layer_Loss_Trainable_Config) Build(inputShape []int) { W.WBuild(inputShape) }
func (W _dl_Layer_Loss_Trainable_Config) Call(x *dl.Tensor, training bool) *dl.Tensor {
	return W.WCall(x, training)
}
func (W _dl_Layer_Loss_Trainable_Config) ClassName() string      { return W.WClassName() }
func (W _dl_Layer_Loss_Trainable_Config) Config() map[string]any { return W.WConfig() }
func (W _dl_Layer_Loss_Trainable_Config) Losses() []*dl.Tensor   { return W.WLosses() }
func (W _dl_Layer_Loss_Trainable_Config) Name() string           { return W.WName() }
func (W _dl_Layer_Loss_Trainable_Config) OutputShape(inputShape []int) []int {
	return W.WOutputShape(inputShape)
}
func (W _dl_Layer_Loss_Trainable_Config) SetTrainable(on bool)  { W.WSetTrainable(on) }
func (W _dl_Layer_Loss_Trainable_Config) Trainable() bool       { return W.WTrainable() }
func (W _dl_Layer_Loss_Trainable_Config) Weights() []*dl.Tensor { return W.WWeights() }

var _ interface {
	dl.Layer
	dl.ConfigLayer
	dl.LossLayer
	dl.TrainableLayer
} = _dl_Layer_Loss_Trainable_Config{}

// _dl_Layer_Loss_Config is a dl.Layer that is also dl.LossLayer and dl.ConfigLayer.
type _dl_Layer_Loss_Config struct {
	IValue       interface{}
	WBuild       func(inputShape []int)
	WCall        func(x *dl.Tensor, training bool) *dl.Tensor
	WClassName   func() string
	WConfig      func() map[string]any
	WLosses      func() []*dl.Tensor
	WName        func() string
	WOutputShape func(inputShape []int) []int
	WWeights     func() []*dl.Tensor
}

func (W _dl_Layer_Loss_Config) Build(inputShape []int) { W.WBuild(inputShape) }
func (W _dl_Layer_Loss_Config) Call(x *dl.Tensor, training bool) *dl.Tensor {
	return W.WCall(x, training)
}
func (W _dl_Layer_Loss_Config) ClassName() string                  { return W.WClassName() }
func (W _dl_Layer_Loss_Config) Config() map[string]any             { return W.WConfig() }
func (W _dl_Layer_Loss_Config) Losses() []*dl.Tensor               { return W.WLosses() }
func (W _dl_Layer_Loss_Config) Name() string                       { return W.WName() }
func (W _dl_Layer_Loss_Config) OutputShape(inputShape []int) []int { return W.WOutputShape(inputShape) }
func (W _dl_Layer_Loss_Config) Weights() []*dl.Tensor              { return W.WWeights() }

var _ interface {
	dl.Layer
	dl.ConfigLayer
	dl.LossLayer
} = _dl_Layer_Loss_Config{}

// _dl_Layer_Trainable_Config is a dl.Layer that is also dl.TrainableLayer and dl.ConfigLayer.
type _dl_Layer_Trainable_Config struct {
	IValue        interface{}
	WBuild        func(inputShape []int)
	WCall         func(x *dl.Tensor, training bool) *dl.Tensor
	WClassName    func() string
	WConfig       func() map[string]any
	WName         func() string
	WOutputShape  func(inputShape []int) []int
	WSetTrainable func(on bool)
	WTrainable    func() bool
	WWeights      func() []*dl.Tensor
}

func (W _dl_Layer_Trainable_Config) Build(inputShape []int) { W.WBuild(inputShape) }
func (W _dl_Layer_Trainable_Config) Call(x *dl.Tensor, training bool) *dl.Tensor {
	return W.WCall(x, training)
}
func (W _dl_Layer_Trainable_Config) ClassName() string      { return W.WClassName() }
func (W _dl_Layer_Trainable_Config) Config() map[string]any { return W.WConfig() }
func (W _dl_Layer_Trainable_Config) Name() string           { return W.WName() }
func (W _dl_Layer_Trainable_Config) OutputShape(inputShape []int) []int {
	return W.WOutputShape(inputShape)
}
func (W _dl_Layer_Trainable_Config) SetTrainable(on bool)  { W.WSetTrainable(on) }
func (W _dl_Layer_Trainable_Config) Trainable() bool       { return W.WTrainable() }
func (W _dl_Layer_Trainable_Config) Weights() []*dl.Tensor { return W.WWeights() }

var _ interface {
	dl.Layer
	dl.ConfigLayer
	dl.TrainableLayer
} = _dl_Layer_Trainable_Config{}

// _dl_Layer_Loss_Trainable is a dl.Layer that is also dl.LossLayer and dl.TrainableLayer.
type _dl_Layer_Loss_Trainable struct {
	IValue        interface{}
	WBuild        func(inputShape []int)
	WCall         func(x *dl.Tensor, training bool) *dl.Tensor
	WClassName    func() string
	WLosses       func() []*dl.Tensor
	WName         func() string
	WOutputShape  func(inputShape []int) []int
	WSetTrainable func(on bool)
	WTrainable    func() bool
	WWeights      func() []*dl.Tensor
}

func (W _dl_Layer_Loss_Trainable) Build(inputShape []int) { W.WBuild(inputShape) }
func (W _dl_Layer_Loss_Trainable) Call(x *dl.Tensor, training bool) *dl.Tensor {
	return W.WCall(x, training)
}
func (W _dl_Layer_Loss_Trainable) ClassName() string    { return W.WClassName() }
func (W _dl_Layer_Loss_Trainable) Losses() []*dl.Tensor { return W.WLosses() }
func (W _dl_Layer_Loss_Trainable) Name() string         { return W.WName() }
func (W _dl_Layer_Loss_Trainable) OutputShape(inputShape []int) []int {
	return W.WOutputShape(inputShape)
}
func (W _dl_Layer_Loss_Trainable) SetTrainable(on bool)  { W.WSetTrainable(on) }
func (W _dl_Layer_Loss_Trainable) Trainable() bool       { return W.WTrainable() }
func (W _dl_Layer_Loss_Trainable) Weights() []*dl.Tensor { return W.WWeights() }

var _ interface {
	dl.Layer
	dl.LossLayer
	dl.TrainableLayer
} = _dl_Layer_Loss_Trainable{}

// _dl_Layer_Loss is a dl.Layer that is also dl.LossLayer.
type _dl_Layer_Loss struct {
	IValue       interface{}
	WBuild       func(inputShape []int)
	WCall        func(x *dl.Tensor, training bool) *dl.Tensor
	WClassName   func() string
	WLosses      func() []*dl.Tensor
	WName        func() string
	WOutputShape func(inputShape []int) []int
	WWeights     func() []*dl.Tensor
}

func (W _dl_Layer_Loss) Build(inputShape []int)                      { W.WBuild(inputShape) }
func (W _dl_Layer_Loss) Call(x *dl.Tensor, training bool) *dl.Tensor { return W.WCall(x, training) }
func (W _dl_Layer_Loss) ClassName() string                           { return W.WClassName() }
func (W _dl_Layer_Loss) Losses() []*dl.Tensor                        { return W.WLosses() }
func (W _dl_Layer_Loss) Name() string                                { return W.WName() }
func (W _dl_Layer_Loss) OutputShape(inputShape []int) []int          { return W.WOutputShape(inputShape) }
func (W _dl_Layer_Loss) Weights() []*dl.Tensor                       { return W.WWeights() }

var _ interface {
	dl.Layer
	dl.LossLayer
} = _dl_Layer_Loss{}

// _dl_Layer_Trainable is a dl.Layer that is also dl.TrainableLayer.
type _dl_Layer_Trainable struct {
	IValue        interface{}
	WBuild        func(inputShape []int)
	WCall         func(x *dl.Tensor, training bool) *dl.Tensor
	WClassName    func() string
	WName         func() string
	WOutputShape  func(inputShape []int) []int
	WSetTrainable func(on bool)
	WTrainable    func() bool
	WWeights      func() []*dl.Tensor
}

func (W _dl_Layer_Trainable) Build(inputShape []int) { W.WBuild(inputShape) }
func (W _dl_Layer_Trainable) Call(x *dl.Tensor, training bool) *dl.Tensor {
	return W.WCall(x, training)
}
func (W _dl_Layer_Trainable) ClassName() string                  { return W.WClassName() }
func (W _dl_Layer_Trainable) Name() string                       { return W.WName() }
func (W _dl_Layer_Trainable) OutputShape(inputShape []int) []int { return W.WOutputShape(inputShape) }
func (W _dl_Layer_Trainable) SetTrainable(on bool)               { W.WSetTrainable(on) }
func (W _dl_Layer_Trainable) Trainable() bool                    { return W.WTrainable() }
func (W _dl_Layer_Trainable) Weights() []*dl.Tensor              { return W.WWeights() }

var _ interface {
	dl.Layer
	dl.TrainableLayer
} = _dl_Layer_Trainable{}

// _dl_Layer_Config is a dl.Layer that is also dl.ConfigLayer.
type _dl_Layer_Config struct {
	IValue       interface{}
	WBuild       func(inputShape []int)
	WCall        func(x *dl.Tensor, training bool) *dl.Tensor
	WClassName   func() string
	WConfig      func() map[string]any
	WName        func() string
	WOutputShape func(inputShape []int) []int
	WWeights     func() []*dl.Tensor
}

func (W _dl_Layer_Config) Build(inputShape []int)                      { W.WBuild(inputShape) }
func (W _dl_Layer_Config) Call(x *dl.Tensor, training bool) *dl.Tensor { return W.WCall(x, training) }
func (W _dl_Layer_Config) ClassName() string                           { return W.WClassName() }
func (W _dl_Layer_Config) Config() map[string]any                      { return W.WConfig() }
func (W _dl_Layer_Config) Name() string                                { return W.WName() }
func (W _dl_Layer_Config) OutputShape(inputShape []int) []int          { return W.WOutputShape(inputShape) }
func (W _dl_Layer_Config) Weights() []*dl.Tensor                       { return W.WWeights() }

var _ interface {
	dl.Layer
	dl.ConfigLayer
} = _dl_Layer_Config{}

func init() {
	m := Symbols["godl.dev/godl/dl/dl"]
	if m == nil {
		return
	}
	w, ok := m["_Layer"]
	if !ok {
		return
	}
	for _, composed := range []any{
		(*_dl_Layer_Base)(nil),
		(*_dl_Layer_Loss_Trainable_Config)(nil),
		(*_dl_Layer_Loss_Config)(nil),
		(*_dl_Layer_Trainable_Config)(nil),
		(*_dl_Layer_Loss_Trainable)(nil),
		(*_dl_Layer_Loss)(nil),
		(*_dl_Layer_Trainable)(nil),
		(*_dl_Layer_Config)(nil),
	} {
		MapTypes[w] = append(MapTypes[w], reflect.TypeOf(composed).Elem())
	}
	// yaegi takes the first match: keep the wrappers with the most methods first, whoever
	// else adds wrappers for dl.Layer.
	sort.SliceStable(MapTypes[w], func(i, j int) bool { return MapTypes[w][i].NumField() > MapTypes[w][j].NumField() })
}
