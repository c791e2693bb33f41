package stdlib

import (
	"fmt"
	"reflect"

	"godl.dev/godl/display"
)

// Composed wrappers. yaegi hands a cell's value to compiled code wrapped in a struct that
// implements one interface (the generated _..._HTMLer types). A value that renders as HTML
// and also has a String method would lose its String on the way to display.Show; these
// wrappers implement both, and MapTypes lists them under the base wrapper so that yaegi
// picks them when the cell's type has both methods.

type _display_HTMLer_Stringer struct {
	IValue  interface{}
	WHTML   func() string
	WString func() string
}

func (w _display_HTMLer_Stringer) HTML() string   { return w.WHTML() }
func (w _display_HTMLer_Stringer) String() string { return w.WString() }

type _display_SVGer_Stringer struct {
	IValue  interface{}
	WSVG    func() string
	WString func() string
}

func (w _display_SVGer_Stringer) SVG() string    { return w.WSVG() }
func (w _display_SVGer_Stringer) String() string { return w.WString() }

type _display_PNGer_Stringer struct {
	IValue  interface{}
	WPNG    func() []byte
	WString func() string
}

func (w _display_PNGer_Stringer) PNG() []byte    { return w.WPNG() }
func (w _display_PNGer_Stringer) String() string { return w.WString() }

type _display_Markdowner_Stringer struct {
	IValue    interface{}
	WMarkdown func() string
	WString   func() string
}

func (w _display_Markdowner_Stringer) Markdown() string { return w.WMarkdown() }
func (w _display_Markdowner_Stringer) String() string   { return w.WString() }

type _display_MIMEBundler_Stringer struct {
	IValue      interface{}
	WMIMEBundle func() display.Bundle
	WString     func() string
}

func (w _display_MIMEBundler_Stringer) MIMEBundle() display.Bundle { return w.WMIMEBundle() }
func (w _display_MIMEBundler_Stringer) String() string             { return w.WString() }

// The composed wrappers implement what they say.
var (
	_ interface {
		display.HTMLer
		fmt.Stringer
	} = _display_HTMLer_Stringer{}
	_ interface {
		display.SVGer
		fmt.Stringer
	} = _display_SVGer_Stringer{}
	_ interface {
		display.PNGer
		fmt.Stringer
	} = _display_PNGer_Stringer{}
	_ interface {
		display.Markdowner
		fmt.Stringer
	} = _display_Markdowner_Stringer{}
	_ interface {
		display.MIMEBundler
		fmt.Stringer
	} = _display_MIMEBundler_Stringer{}
)

func init() {
	m := Symbols["godl.dev/godl/display/display"]
	if m == nil {
		return
	}
	for base, composed := range map[string]any{
		"_HTMLer":      (*_display_HTMLer_Stringer)(nil),
		"_SVGer":       (*_display_SVGer_Stringer)(nil),
		"_PNGer":       (*_display_PNGer_Stringer)(nil),
		"_Markdowner":  (*_display_Markdowner_Stringer)(nil),
		"_MIMEBundler": (*_display_MIMEBundler_Stringer)(nil),
	} {
		if w, ok := m[base]; ok {
			MapTypes[w] = []reflect.Type{reflect.TypeOf(composed).Elem()}
		}
	}
}
