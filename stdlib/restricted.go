package stdlib

import (
	"reflect"

	"godl.dev/godl/display"
)

// Restrictions: symbols a cell must not use as they are, because they would take over what
// the kernel owns. Each is replaced by a version that fails with an explanation. This file
// sorts after the generated ones, so its init runs after theirs.

func init() {
	if m := Symbols["godl.dev/godl/interrupt/interrupt"]; m != nil {
		// The kernel handles SIGINT and interrupt requests itself; a cell's handler would
		// steal them.
		m["NotifyOnSignal"] = reflect.ValueOf(func() (stop func()) {
			panic("interrupt: NotifyOnSignal is for programs outside the kernel; in a notebook the kernel already turns interrupts into interrupt.Requested")
		})
		// Begin and Request are the kernel's calls around each cell.
		m["Begin"] = reflect.ValueOf(func() {
			panic("interrupt: Begin is called by the kernel before each cell")
		})
	}
	if m := Symbols["godl.dev/godl/display/display"]; m != nil {
		m["SetSink"] = reflect.ValueOf(func(display.Sink) display.Sink {
			panic("display: SetSink is reserved for the kernel, which shows a cell's displays; use display.Show or display.Display")
		})
	}
}
