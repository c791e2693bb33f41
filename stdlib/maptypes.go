package stdlib

import (
	"fmt"
	"reflect"

	"godl.dev/godl/display"
)

// renderers lists display's rendering interfaces, most complete first: yaegi wraps a cell's
// value in the first one it implements (a wrapper exposes one interface only).
var renderers = []reflect.Type{
	reflect.TypeOf((*display.MIMEBundler)(nil)).Elem(),
	reflect.TypeOf((*display.HTMLer)(nil)).Elem(),
	reflect.TypeOf((*display.SVGer)(nil)).Elem(),
	reflect.TypeOf((*display.PNGer)(nil)).Elem(),
	reflect.TypeOf((*display.JPEGer)(nil)).Elem(),
	reflect.TypeOf((*display.Markdowner)(nil)).Elem(),
	reflect.TypeOf((*display.JSONer)(nil)).Elem(),
	reflect.TypeOf((*fmt.Stringer)(nil)).Elem(),
	reflect.TypeOf((*error)(nil)).Elem(),
}

func init() {
	// yaegi consults MapTypes for package functions only, not for methods such as
	// (*display.Handle).Show: the kernel renders those arguments itself.
	for _, f := range []any{display.Render, display.Show, display.PlainText} {
		MapTypes[reflect.ValueOf(f)] = renderers
	}
}
