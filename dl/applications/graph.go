package applications

import "godl.dev/godl/dl"

// apply calls layer l on the symbolic tensors xs, the one place this package touches the
// functional API's calling convention.
func apply(l dl.Layer, xs ...*dl.Tensor) *dl.Tensor { return dl.Apply(l, xs...) }
