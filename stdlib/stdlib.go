// Package stdlib provides the yaegi symbol tables of the godl packages that notebook cells
// import: display, interrupt, plots, and the deep-learning packages (dl, dl/data,
// dl/datasets, dl/images, dl/layers, dl/losses, dl/metrics, dl/optimizers, dl/tensorboard).
//
// Symbols is filled by the generated files of this directory, one per package, written by
// `go generate ./stdlib` from the list in internal/symgen (adding a package is one line
// there). The Go standard library itself comes from yaegi's own tables,
// github.com/traefik/yaegi/stdlib, which describe the Go 1.22 API: functions added to the
// standard library after Go 1.22 are not available in cells.
//
// A kernel loads both:
//
//	i := interp.New(interp.Options{})
//	i.Use(yaegistdlib.Symbols)
//	i.Use(stdlib.Symbols)
//
// Symbols also carries the MapTypes entries (see maptypes.go) under the key ".", so that
// values of types declared in cells that implement display's rendering interfaces are seen
// by the compiled functions that look for them. Hand-written companions: restricted.go
// (symbols a cell must not use as they are) and wrapper-composed.go (wrappers for cell
// types that render themselves and have a String method).
//
// Whoever changes the exported API of an exposed package runs `go generate ./stdlib`: a
// test regenerates the tables into a temporary directory and fails on any difference, and
// another imports every package from interpreted code and reports exported names the
// extractor dropped (generic functions and types, which cells cannot use).
package stdlib

//go:generate go run gen.go

import "reflect"

// Symbols maps "importpath/name" to the exported symbols of each package.
var Symbols = map[string]map[string]reflect.Value{}

// MapTypes maps compiled functions that take an interface{} argument to the interfaces they
// look for in it; yaegi then wraps a cell's values in those interfaces when it passes them.
var MapTypes = map[reflect.Value][]reflect.Type{}

func init() {
	Symbols["."] = map[string]reflect.Value{"MapTypes": reflect.ValueOf(MapTypes)}
}
