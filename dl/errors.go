package dl

import (
	"fmt"
	"strings"
)

// Error is the panic value of every dl programming error: a shape mismatch, a wrong dtype,
// an out-of-range index. Its text starts with "dl: ", then the operation and, inside a layer,
// the layer's name, then what was expected and what was received.
type Error struct {
	Op     string  // the operation, such as "Add" or "MatMul"
	Layer  string  // the layer that called the operation, or ""
	Shapes [][]int // the shapes involved, in argument order
	Msg    string  // what went wrong
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("dl: ")
	if e.Layer != "" {
		b.WriteString("layer ")
		b.WriteString(e.Layer)
		b.WriteString(": ")
	}
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if len(e.Shapes) > 0 {
		b.WriteString(" (shapes")
		for i, s := range e.Shapes {
			if i > 0 {
				b.WriteString(" and")
			}
			b.WriteByte(' ')
			b.WriteString(shapeString(s))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// shapeString formats a shape as Python's tuple repr, as Keras prints it: (2, 3), (5,), ().
func shapeString(s []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		if d < 0 {
			b.WriteString("None")
		} else {
			fmt.Fprint(&b, d)
		}
	}
	if len(s) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}

// ShapeString formats a shape the way Keras prints it, with None for an unknown (negative)
// dimension: (None, 28, 28, 1).
func ShapeString(shape []int) string { return shapeString(shape) }

// panicf panics with an *Error for op.
func panicf(op string, shapes [][]int, format string, args ...any) {
	panic(&Error{Op: op, Shapes: shapes, Msg: fmt.Sprintf(format, args...)})
}

// Maybe runs fn and returns the *Error it panicked with, or nil. Panics that are not dl
// errors propagate. It lets compiled callers handle dl's programming errors as values:
//
//	err := dl.Maybe(func() { z = x.Add(y) })
func Maybe(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*Error); ok {
				err = e
				return
			}
			panic(r)
		}
	}()
	fn()
	return nil
}

// InLayer runs fn and, if it panics with an *Error that names no layer yet, names layer in it
// before re-panicking. Layers wrap their Call in it so that a shape error says where it
// happened.
func InLayer(layer string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(*Error); ok && e.Layer == "" {
				e.Layer = layer
			}
			panic(r)
		}
	}()
	fn()
}
