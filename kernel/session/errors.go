package session

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/scanner"
	"regexp"
	"strconv"
	"strings"

	"github.com/traefik/yaegi/interp"
)

// betterError replaces yaegi's misleading "definition loop" error, which it reports for an
// undefined name, by "undefined: name" at the first unknown identifier of u.
func (c *cell) betterError(u *unit, err error) error {
	if err == nil {
		return err
	}
	if msg := err.Error(); !strings.Contains(msg, "definition loop") && !strings.Contains(msg, "incomplete type") {
		return err
	}
	var found error
	ast.Inspect(u.stmts[0], func(n ast.Node) bool {
		if found != nil {
			return false
		}
		if sel, ok := n.(*ast.SelectorExpr); ok {
			ast.Inspect(sel.X, func(m ast.Node) bool { return found == nil && c.checkUndefined(u, m, &found) })
			return false
		}
		return c.checkUndefined(u, n, &found)
	})
	if found != nil {
		return found
	}
	return err
}

func (c *cell) checkUndefined(u *unit, n ast.Node, found *error) bool {
	id, ok := n.(*ast.Ident)
	if !ok || id.Obj != nil || id.Name == "_" || c.s.isGlobal(id.Name) || c.declared[id.Name] || universe[id.Name] {
		return true
	}
	if _, ok := c.s.imported[id.Name]; ok {
		return true
	}
	*found = fmt.Errorf("%s: undefined: %s", c.p.where(u.off(id.Pos())), id.Name)
	return false
}

// universe holds Go's predeclared identifiers.
var universe = func() map[string]bool {
	m := map[string]bool{}
	for _, n := range strings.Fields(`any append bool byte cap clear close complex complex64 complex128
		comparable copy delete error false float32 float64 imag int int8 int16 int32 int64 iota
		len make max min new nil panic print println real recover rune string true uint uint8
		uint16 uint32 uint64 uintptr`) {
		m[n] = true
	}
	return m
}()

// isCompilePanic reports whether err is one of the host panics yaegi v0.16.1 raises while
// compiling (before running anything) code it does not support.
func isCompilePanic(err error) bool {
	var p interp.Panic
	if !errors.As(err, &p) {
		return false
	}
	msg := fmt.Sprint(p.Value)
	return msg == "nil reflect type" || msg == "nil type" || strings.Contains(msg, "CFG post-order panic")
}

// framePattern matches the line yaegi prints for each interpreted frame a panic unwinds.
var framePattern = regexp.MustCompile(`^(\S+):(\d+):(\d+): panic: (.+)\(\.\.\.\)$`)

var renamedPattern = regexp.MustCompile(`\b([A-Za-z_][A-Za-z0-9_]*?)_godl\d+\b`)

// unrename maps internal names of redeclared types back to the names the user wrote.
// It also decodes positions (see cellPos).
func unrename(s string) string {
	s = strings.ReplaceAll(s, mainName, "main")
	return decodePositions(renamedPattern.ReplaceAllString(s, "$1"))
}

func syntaxError(err error) *CellError {
	var list scanner.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		e := &CellError{Name: "SyntaxError", Value: decodePositions(list[0].Error())}
		for _, x := range list {
			e.Traceback = append(e.Traceback, decodePositions(x.Error()))
		}
		return e
	}
	msg := decodePositions(err.Error())
	return &CellError{Name: "SyntaxError", Value: msg, Traceback: []string{msg}}
}

// cellError converts an evaluation error of the unit starting at off into a CellError.
func (c *cell) cellError(err error, off int) *CellError {
	where := ""
	if off >= 0 {
		where = c.p.where(off)
	}
	stmt := ""
	if off >= 0 {
		stmt = c.code[off:]
		if i := strings.IndexByte(stmt, '\n'); i >= 0 {
			stmt = stmt[:i]
		}
		stmt = strings.TrimSpace(stmt)
	}
	var p interp.Panic
	switch {
	case errors.Is(err, errRecursion):
		e := &CellError{Name: "RecursionError", Value: err.Error()}
		if where != "" {
			e.Value = where + ": " + e.Value
		}
		e.Traceback = []string{e.Value}
		return e
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		e := &CellError{Name: "Interrupted", Value: "interrupted by the user"}
		if where != "" {
			e.Value = where + ": " + e.Value
			e.Traceback = []string{e.Value}
		}
		return e
	case isCompilePanic(err):
		errors.As(err, &p)
		msg := unrename(fmt.Sprint(p.Value))
		msg = strings.TrimPrefix(msg, where+": ")
		if i := strings.Index(msg, "CFG post-order panic: "); i >= 0 {
			msg = msg[i+len("CFG post-order panic: "):]
		}
		if !strings.HasPrefix(msg, "cell") && where != "" {
			msg = where + ": " + msg
		}
		return &CellError{Name: "CompileError", Value: msg, Traceback: []string{msg}}
	case errors.As(err, &p):
		msg := goMessage(unrename(fmt.Sprint(p.Value)))
		name := "panic"
		if strings.HasPrefix(msg, "os.Exit(") {
			name = "Exit"
		}
		e := &CellError{Name: name, Value: msg}
		if where != "" && !strings.HasPrefix(msg, "cell") {
			e.Value = where + ": " + msg
		}
		e.Traceback = append(e.Traceback, "panic: "+msg)
		since := c.s.evalAt
		for _, f := range c.s.traceback(c.s.filter.take(func(f frameLine) bool { return !f.at.Before(since) })) {
			// The function literal a top-level compound statement runs in (rewrite.go)
			// is not the user's.
			if strings.HasSuffix(f, ": in a function literal") && where != "" && sameLine(f, where) {
				continue
			}
			e.Traceback = append(e.Traceback, f)
		}
		if where != "" {
			e.Traceback = append(e.Traceback, where+": "+stmt)
		}
		return e
	default:
		var list scanner.ErrorList
		if errors.As(err, &list) {
			return syntaxError(err)
		}
		msg := unrename(err.Error())
		if !strings.HasPrefix(msg, "cell") && where != "" {
			msg = where + ": " + msg
		}
		if where != "" && !strings.HasPrefix(msg, c.p.name+":") {
			// yaegi sometimes points at the declaration of what the cell misuses, in an
			// earlier cell (the type of a missing field): name this cell's code instead.
			rest := msg
			if m := leadingPos.FindStringIndex(msg); m != nil {
				rest = msg[m[1]:]
			}
			at := where
			if f := strings.TrimPrefix(strings.TrimPrefix(rest, "undefined selector"), ":"); f != rest {
				f = strings.TrimSpace(f)
				if off := c.selectorOff(off, f); off >= 0 {
					at = c.p.where(off)
				}
			}
			return &CellError{Name: "CompileError", Value: at + ": " + rest, Traceback: []string{at + ": " + rest, "(reported by the interpreter at " + strings.TrimSuffix(msg[:len(msg)-len(rest)], ": ") + ")"}}
		}
		return &CellError{Name: "CompileError", Value: msg, Traceback: []string{msg}}
	}
}

var leadingPos = regexp.MustCompile(`^cell\d+\.go:\d+:\d+: `)

// selectorOff returns the cell offset of the first selector .name at or after off, or -1.
func (c *cell) selectorOff(off int, name string) int {
	for i := range c.units {
		u := &c.units[i]
		if u.end <= off {
			continue
		}
		found := -1
		ast.Inspect(u.file, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && found < 0 && sel.Sel.Name == name {
				found = u.off(sel.Sel.Pos())
			}
			return found < 0
		})
		if found >= off {
			return found
		}
	}
	return -1
}

// traceback turns yaegi's frame lines into "cell2.go:1:6: in f" lines, innermost first.
// yaegi reports the first statement of each function; the function's declaration is named
// instead. The frame of the cell's own top-level code is left out (the caller adds the
// statement).
func (s *Session) traceback(frames []string) []string {
	var out []string
	for _, f := range frames {
		m := framePattern.FindStringSubmatch(f)
		if m == nil {
			continue
		}
		fn := strings.TrimPrefix(m[4], "main.")
		if fn == "main" {
			continue
		}
		if strings.HasPrefix(fn, "func") {
			fn = "a function literal"
		}
		line, _ := strconv.Atoi(m[2])
		loc := fmt.Sprintf("%s:%s:%s", m[1], m[2], m[3])
		for i := len(s.funcSpans) - 1; i >= 0; i-- {
			sp := s.funcSpans[i]
			if sp.file == m[1] && sp.fromLine <= line && line <= sp.toLine {
				loc = fmt.Sprintf("%s:%d:%d", sp.file, sp.line, sp.col)
				if strings.Contains(fn, ".func") {
					fn = "a function literal in " + sp.name
				} else {
					fn = sp.name
				}
				break
			}
		}
		out = append(out, fmt.Sprintf("%s: in %s", loc, unrename(fn)))
	}
	return out
}

// goMessages maps the messages of panics that yaegi raises through reflect to the runtime
// errors Go reports for the same mistakes.
var goMessages = map[string]string{
	"reflect: call of reflect.Value.Field on zero Value": "runtime error: invalid memory address or nil pointer dereference",
	"reflect: call of reflect.Value.Elem on zero Value":  "runtime error: invalid memory address or nil pointer dereference",
	"reflect.Value.Call: call of nil function":           "runtime error: invalid memory address or nil pointer dereference",
	"reflect: slice index out of range":                  "runtime error: index out of range",
	"reflect: array index out of range":                  "runtime error: index out of range",
	"reflect.Value.Slice: slice index out of bounds":     "runtime error: slice bounds out of range",
	"reflect.Value.Slice3: slice index out of bounds":    "runtime error: slice bounds out of range",
	"reflect: string index out of range":                 "runtime error: index out of range",
}

func goMessage(msg string) string {
	if m, ok := goMessages[msg]; ok {
		return m
	}
	return msg
}

// sameLine reports whether two "cellN.go:L:C..." positions are on the same line.
func sameLine(a, b string) bool {
	lineOf := func(s string) string {
		parts := strings.SplitN(s, ":", 3)
		if len(parts) < 3 {
			return s
		}
		return parts[0] + ":" + parts[1]
	}
	return lineOf(a) == lineOf(b)
}

// checkTypeUses reports a function or variable used as a type in a declaration's
// signatures, struct fields or variable types (func f(x f)): yaegi recurses without end on
// such code and the stack overflow would end the process. Names are looked up in local (the
// cell's declarations, name → kind), then among the session's globals.
func (c *cell) checkTypeUses(u *unit, local map[string]string) error {
	var found error
	var visit func(n ast.Node) bool
	checkType := func(e ast.Expr) { ast.Inspect(e, visit) }
	visit = func(n ast.Node) bool {
		if found != nil {
			return false
		}
		switch x := n.(type) {
		case *ast.SelectorExpr, *ast.FuncLit, *ast.CompositeLit, *ast.CallExpr:
			return false
		case *ast.Field:
			// Field and parameter names are not types.
			checkType(x.Type)
			return false
		case *ast.Ident:
			var kind string
			switch {
			case x.Obj != nil && (x.Obj.Kind == ast.Fun || x.Obj.Kind == ast.Var):
				kind = "func"
			case x.Obj != nil:
				// A type, a constant or a label declared in the unit.
			case local[x.Name] != "":
				kind = local[x.Name]
			case c.s.globals[x.Name] != nil:
				kind = c.s.globals[x.Name].kind
			}
			if kind == "func" || kind == "var" {
				found = fmt.Errorf("%s: %s is not a type", c.p.where(u.off(x.Pos())), x.Name)
			}
		}
		return true
	}
	var root ast.Node = u.file
	if u.kind == stmtUnit {
		root = u.stmts[0]
	}
	ast.Inspect(root, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.FuncType:
			for _, fl := range []*ast.FieldList{x.Params, x.Results} {
				if fl != nil {
					for _, f := range fl.List {
						checkType(f.Type)
					}
				}
			}
		case *ast.StructType:
			for _, f := range x.Fields.List {
				checkType(f.Type)
			}
		case *ast.ValueSpec:
			if x.Type != nil {
				checkType(x.Type)
			}
		}
		return found == nil
	})
	return found
}
