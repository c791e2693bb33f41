package session

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"reflect"
	"strings"

	"github.com/traefik/yaegi/interp"
	"godl.dev/godl/display"
)

// evalResult evaluates the cell's final expression and renders its value.
func (c *cell) evalResult(ctx context.Context, u *unit) (*display.Bundle, error) {
	s := c.s
	expr := u.stmts[0].(*ast.ExprStmt).X
	hv := c.hasValue(u, expr)
	if hv == no {
		return nil, c.evalStmt(ctx, u)
	}
	// With unknown, try to keep the value: a compile error then means there is none (or
	// the expression is wrong, which evalStmt reports).
	r := c.stmtRewriter(u)
	if hv == valueAndError {
		return c.evalValueAndError(ctx, u, r)
	}
	if call, ok := ast.Unparen(expr).(*ast.CallExpr); ok && hv == unknown && !s.callsGeneric(expr) && !isPlainChain(call.Fun) {
		if b, err, done := c.evalCallThroughValue(ctx, u, r, call); done {
			return b, err
		}
	}
	var v reflect.Value
	var err error
	generic := s.callsGeneric(expr)
	if !generic {
		v, err = s.eval(ctx, ";_godlResult := "+r.orig(u.start, u.end))
	}
	if generic || isCompilePanic(err) {
		// yaegi cannot define a global from some expressions (generic calls): keep the
		// value as an interface instead.
		v, err = s.eval(ctx, ";_godlResult := func() any { return "+r.orig(u.start, u.end)+" }()")
		if err == nil && v.IsValid() && v.Kind() == reflect.Interface {
			v = v.Elem()
		}
	}
	if isCompilePanic(err) {
		// Last resort: evaluate the expression alone and keep what yaegi returns, unless
		// it is the placeholder it returns for statements without a value.
		v, err = s.eval(ctx, ";"+c.p.lineDirective(u.start)+r.text(u.start, u.end))
		if err == nil {
			if !v.IsValid() || v.Type() == reflect.TypeOf((*any)(nil)) {
				return nil, nil
			}
			b := display.Render(v.Interface())
			return &b, nil
		}
	}
	if err != nil {
		var p interp.Panic
		if errors.As(err, &p) || ctx.Err() != nil || hv == yes {
			return nil, c.cellError(c.betterError(u, err), u.first)
		}
		return nil, c.evalStmt(ctx, u)
	}
	return s.renderResult(ctx, v)
}

// callsGeneric reports whether n calls a generic function of the session (min and max
// included).
func (s *Session) callsGeneric(n ast.Node) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || found {
			return !found
		}
		fun := call.Fun
		if ix, ok := fun.(*ast.IndexExpr); ok {
			fun = ix.X
		}
		if id, ok := fun.(*ast.Ident); ok && id.Obj == nil && s.generics[id.Name] {
			found = true
		}
		return !found
	})
	return found
}

// evalValueAndError evaluates a final call with (T, error) results: a nil error shows T,
// as strconv.Atoi("12") shows 12; a non-nil one is the cell's error, as a raised exception
// would be in Python.
func (c *cell) evalValueAndError(ctx context.Context, u *unit, r *rewriter) (*display.Bundle, error) {
	s := c.s
	if _, err := s.eval(ctx, ";_godlResult, _godlErr := "+r.orig(u.start, u.end)); err != nil {
		return nil, c.cellError(c.betterError(u, err), u.first)
	}
	v, err := s.eval(ctx, "_godlResult")
	if err != nil {
		return nil, c.cellError(err, u.first)
	}
	if e, err := s.eval(ctx, "_godlErr != nil"); err == nil && e.Kind() == reflect.Bool && e.Bool() {
		msg := "error"
		if m, err := s.eval(ctx, "_godlErr.Error()"); err == nil && m.Kind() == reflect.String {
			msg = m.String()
		}
		return nil, &CellError{Name: "error", Value: c.p.where(u.first) + ": " + unrename(msg),
			Traceback: []string{c.p.where(u.first) + ": the call returned an error: " + unrename(msg)}}
	}
	return s.renderResult(ctx, v)
}

// evalCallThroughValue evaluates a final call whose callee's result count cannot be known
// beforehand (fs[0](), mk().Do()): the callee is evaluated once into a variable, its type
// says how many results it has, then it is called. done is false when the callee cannot be
// stored, and nothing has run. A callee named by a plain selector chain (pkg.F, v.M) does
// not come here: it may be generic (slices.Contains), which cannot be stored.
func (c *cell) evalCallThroughValue(ctx context.Context, u *unit, r *rewriter, call *ast.CallExpr) (b *display.Bundle, err error, done bool) {
	s := c.s
	fs, fe := nodeRange(u, call.Fun)
	f, err := s.eval(ctx, ";_godlF := "+r.orig(fs, fe))
	if err != nil {
		if isCompilePanic(err) || !isPanic(err) && ctx.Err() == nil {
			return nil, nil, false
		}
		return nil, c.cellError(err, u.first), true
	}
	if !f.IsValid() || f.Kind() != reflect.Func {
		return nil, nil, false
	}
	args := ""
	if len(call.Args) > 0 {
		a, _ := nodeRange(u, call.Args[0])
		_, z := nodeRange(u, call.Args[len(call.Args)-1])
		args = r.orig(a, z)
		if call.Ellipsis.IsValid() {
			args += "..."
		}
	}
	callText := "_godlF(" + args + ")"
	if f.Type().NumOut() != 1 {
		if _, err := s.eval(ctx, ";"+callText); err != nil {
			return nil, c.cellError(c.betterError(u, err), u.first), true
		}
		return nil, nil, true
	}
	v, err := s.eval(ctx, ";_godlResult := "+callText)
	if err != nil {
		return nil, c.cellError(c.betterError(u, err), u.first), true
	}
	b, err = s.renderResult(ctx, v)
	return b, err, true
}

func isPanic(err error) bool {
	var p interp.Panic
	return errors.As(err, &p)
}

var bundleType = reflect.TypeOf(display.Bundle{})

// renderResult renders the value stored in _godlResult: rich forms through display.Render
// (evaluated in the interpreter, so that types declared in cells are seen), text/plain
// through fmt (so that String methods declared in cells are used).
func (s *Session) renderResult(ctx context.Context, v reflect.Value) (*display.Bundle, error) {
	rv, err := s.eval(ctx, "_godl.Render(_godlResult)")
	if err != nil {
		return nil, &CellError{Name: "DisplayError", Value: unrename(err.Error())}
	}
	b, ok := rv.Interface().(display.Bundle)
	if !ok {
		return nil, &CellError{Name: "DisplayError", Value: fmt.Sprintf("session: rendering gave %s", rv.Type())}
	}
	keepText := false
	if v.IsValid() {
		t := v.Type()
		keepText = t == bundleType || t == reflect.PointerTo(bundleType) ||
			t.Implements(reflect.TypeOf((*display.MIMEBundler)(nil)).Elem())
	}
	if !keepText {
		format := "_godl.Sprint(_godlResult)"
		if v.IsValid() && v.Kind() == reflect.String {
			format = `_godl.Sprintf("%q", _godlResult)`
		}
		if tv, err := s.eval(ctx, format); err == nil && tv.Kind() == reflect.String {
			b.Data[display.MIMEText] = tv.String()
		}
	}
	return &b, nil
}

type tristate int

const (
	no tristate = iota
	yes
	unknown
	valueAndError // a (T, error) call: T is shown, or the error when there is one
)

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// isWriter reports whether fun is a call whose (int, error) results are a by-product,
// as for fmt.Println: a function of fmt, io or bufio, or a method (not a package function)
// named like Write, Read, Print or Scan.
func isWriter(fun ast.Expr, s *Session) bool {
	sel, ok := ast.Unparen(fun).(*ast.SelectorExpr)
	if !ok {
		return false
	}
	if x, ok := sel.X.(*ast.Ident); ok && !s.isGlobal(x.Name) {
		if p, isPkg := s.imported[x.Name]; isPkg {
			return p == "fmt" || p == "io" || p == "bufio"
		}
	}
	for _, p := range []string{"Write", "Read", "Print", "Fprint", "Scan", "Fscan", "Sscan"} {
		if strings.HasPrefix(sel.Sel.Name, p) {
			return true
		}
	}
	return false
}

var valueBuiltins = map[string]bool{
	"len": true, "cap": true, "append": true, "complex": true, "real": true, "imag": true,
	"new": true, "make": true, "min": true, "max": true, "recover": true, "copy": true,
}

var voidBuiltins = map[string]bool{
	"print": true, "println": true, "panic": true, "close": true, "delete": true, "clear": true,
}

var basicTypes = map[string]bool{
	"bool": true, "string": true, "float32": true, "float64": true, "complex64": true,
	"complex128": true, "any": true, "error": true,
}

// hasValue decides whether the final expression e yields one value to show. Calls are
// decided from the callee's result count: yaegi returns garbage for a call with none.
func (c *cell) hasValue(u *unit, e ast.Expr) tristate {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return yes
	}
	s := c.s
	fromFunc := func(v reflect.Value, err error) tristate {
		if err != nil || !v.IsValid() || v.Kind() != reflect.Func {
			return unknown
		}
		switch t := v.Type(); {
		case t.NumOut() == 1:
			return yes
		case t.NumOut() == 2 && t.Out(1) == errorType && !isWriter(call.Fun, c.s):
			return valueAndError
		}
		return no
	}
	switch fun := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		g := s.globals[fun.Name]
		if g == nil || g.kind == "builtin" {
			if voidBuiltins[fun.Name] {
				return no
			}
			if valueBuiltins[fun.Name] || intTypes[fun.Name] || basicTypes[fun.Name] {
				return yes
			}
		}
		if g != nil && g.kind == "type" {
			return yes
		}
		if g == nil {
			return unknown
		}
		return fromFunc(s.eval(context.Background(), fun.Name))
	case *ast.SelectorExpr:
		if x, ok := fun.X.(*ast.Ident); ok && !s.isGlobal(x.Name) {
			if p, ok := s.imported[x.Name]; ok {
				sym, ok := s.exportsOf(p)[fun.Sel.Name]
				if !ok {
					return unknown
				}
				if sym.Kind() == reflect.Func {
					return fromFunc(sym, nil)
				}
				return yes // a conversion to the package's type
			}
		}
		if isPlainChain(fun) {
			a, b := nodeRange(u, fun)
			return fromFunc(s.eval(context.Background(), c.code[a:b]))
		}
		return unknown
	case *ast.FuncLit:
		if fun.Type.Results.NumFields() == 1 {
			return yes
		}
		return no
	case *ast.ArrayType, *ast.MapType, *ast.ChanType, *ast.StarExpr, *ast.InterfaceType, *ast.FuncType:
		return yes
	}
	return unknown
}

// isPlainChain reports whether e is a chain of selectors on an identifier (a.b.c):
// evaluating it has no side effects.
func isPlainChain(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return true
	case *ast.SelectorExpr:
		return isPlainChain(x.X)
	}
	return false
}
