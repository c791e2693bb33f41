package session

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/scanner"
	"go/token"
	"reflect"
	"regexp"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/traefik/yaegi/interp"

	"godl.dev/godl/display"
)

// cell is one execution of a cell's code.
type cell struct {
	s     *Session
	code  string
	p     cellPos
	units []unit
	// declared holds the names this cell declares at top level.
	declared map[string]bool
}

func (c *cell) run(ctx context.Context) (*display.Bundle, error) {
	s := c.s
	c.units = splitCell(c.code)
	c.declared = map[string]bool{}
	for i := range c.units {
		u := &c.units[i]
		if err := u.parse(c.p, c.code); err != nil {
			return nil, syntaxError(err)
		}
		for n := range declaredNames(u) {
			c.declared[n] = true
		}
	}
	if err := c.imports(ctx); err != nil {
		return nil, err
	}
	var result *display.Bundle
	for i := range c.units {
		u := &c.units[i]
		var err error
		switch u.kind {
		case declUnit:
			err = c.evalDecl(ctx, u)
		case stmtUnit:
			if _, isExpr := u.stmts[0].(*ast.ExprStmt); isExpr && u.isLast {
				result, err = c.evalResult(ctx, u)
			} else {
				err = c.evalStmt(ctx, u)
			}
		}
		if err != nil {
			return nil, err
		}
	}
	if c.declaresMainOnly() {
		// A Go program pasted whole: run it.
		if _, err := s.eval(ctx, mainName+"()"); err != nil {
			return nil, c.cellError(err, -1)
		}
	}
	return result, nil
}

// mainName is the internal name of a cell's func main.
const mainName = "_godlMain"

// declaresMainOnly reports whether the cell declares func main and has no statements.
func (c *cell) declaresMainOnly() bool {
	hasMain := false
	for i := range c.units {
		u := &c.units[i]
		if u.kind == stmtUnit {
			return false
		}
		for _, d := range u.decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
				hasMain = true
			}
		}
	}
	return hasMain
}

// importSpec is one package to import.
type importSpec struct {
	name, path string
	off        int // position in the cell, or -1 for an automatic import
}

// imports evaluates the cell's import declarations and imports the known packages the cell
// uses without importing them, as goimports would.
func (c *cell) imports(ctx context.Context) error {
	s := c.s
	var specs []importSpec
	want := map[string]bool{} // names being imported by this cell
	for i := range c.units {
		u := &c.units[i]
		if u.kind != importUnit {
			continue
		}
		for _, im := range u.file.Imports {
			p, _ := strconv.Unquote(im.Path.Value)
			name := packageName(p)
			if im.Name != nil {
				name = im.Name.Name
			}
			if name == "_" || name == "." {
				continue
			}
			specs = append(specs, importSpec{name, p, u.off(im.Pos())})
			want[name] = true
		}
	}
	for i := range c.units {
		u := &c.units[i]
		if u.kind == importUnit {
			continue
		}
		ast.Inspect(u.file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			id, ok := sel.X.(*ast.Ident)
			if !ok || id.Obj != nil || want[id.Name] || c.declared[id.Name] || s.isGlobal(id.Name) {
				return true
			}
			if _, done := s.imported[id.Name]; done {
				return true
			}
			if p := choosePackage(id.Name, sel.Sel.Name); p != "" {
				specs = append(specs, importSpec{id.Name, p, -1})
				want[id.Name] = true
			}
			return true
		})
	}
	for _, sp := range specs {
		if prev, ok := s.imported[sp.name]; ok && prev == sp.path {
			continue // already imported: a re-run cell
		}
		src := c.p.lineDirective(max(sp.off, 0)) + fmt.Sprintf("import %s %q", sp.name, sp.path)
		if _, err := s.eval(ctx, src); err != nil {
			return c.cellError(err, sp.off)
		}
		s.imported[sp.name] = sp.path
	}
	return nil
}

// packageName returns the name of the package at import path p as cells know it.
func packageName(p string) string {
	for name, paths := range knownPackages {
		for _, q := range paths {
			if q == p {
				return name
			}
		}
	}
	base := p[strings.LastIndex(p, "/")+1:]
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		q := strings.TrimSuffix(p, "/"+base)
		return q[strings.LastIndex(q, "/")+1:]
	}
	return base
}

// choosePackage picks the import path for a package name used as name.sym: among the
// known packages of that name, the first (shortest path) that exports sym.
func choosePackage(name, sym string) string {
	paths := knownPackages[name]
	for _, p := range paths {
		if _, ok := exportsOf(p)[sym]; ok {
			return p
		}
	}
	if len(paths) > 0 {
		return paths[0]
	}
	return ""
}

// evalDecl evaluates a run of declarations, renaming redeclared types and re-evaluating
// the functions that call a redefined function.
func (c *cell) evalDecl(ctx context.Context, u *unit) error {
	s := c.s
	r := &rewriter{code: c.code, p: c.p}
	local := map[*ast.Object]string{}
	newTypes := map[string]*typeInfo{}
	for _, d := range u.decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, sp := range g.Specs {
			ts := sp.(*ast.TypeSpec)
			a, b := nodeRange(u, ts)
			text := c.code[a:b]
			name := ts.Name.Name
			internal := name
			if old, ok := s.types[name]; ok {
				internal = old.internal
				if old.text != text {
					s.renameN++
					internal = fmt.Sprintf("%s_godl%d", name, s.renameN)
				}
			}
			newTypes[name] = &typeInfo{text: text, internal: internal}
			if ts.Name.Obj != nil {
				local[ts.Name.Obj] = internal
			}
		}
	}
	if err := c.refreshTypesForMethods(ctx, u, newTypes); err != nil {
		return err
	}
	// A function named main would run at every later evaluation (yaegi runs main after
	// compiling package main): it lives under another name.
	for _, d := range u.decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == "main" {
			a, b := nodeRange(u, fd.Name)
			r.add(a, b, func(*rewriter) string { return mainName })
			if fd.Name.Obj != nil {
				local[fd.Name.Obj] = mainName
			}
			s.renames["main"] = mainName
		}
	}
	addRenameEdits(r, u, u.file, s.renames, local)
	addGoEdits(r, u, u.file)
	addRangeIntEdits(r, u, u.file, s.isIntGlobal)
	r.sort()
	src := c.p.lineDirective(u.start) + r.text(u.start, u.end)
	if _, err := s.eval(ctx, src); err != nil {
		return c.cellError(err, u.first)
	}

	for _, d := range u.decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.TYPE {
			continue
		}
		for _, sp := range g.Specs {
			ts := sp.(*ast.TypeSpec)
			t := newTypes[ts.Name.Name]
			a, b := nodeRange(u, ts.Name)
			_, e := nodeRange(u, ts)
			t.dir, t.rest = c.p.lineDirective(a), c.p.inlineDirective(b)+r.text(b, e)
			if old := s.types[ts.Name.Name]; old != nil && old.internal == t.internal {
				t.methods = old.methods // an unchanged redeclaration keeps its methods
			}
		}
	}
	for name, t := range newTypes {
		s.types[name] = t
		if t.internal != name {
			s.renames[name] = t.internal
		}
	}
	for _, d := range u.decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv != nil {
			if t := s.types[receiverType(fd)]; t != nil {
				if t.methods == nil {
					t.methods = map[string]*methodInfo{}
				}
				a, b := nodeRange(u, fd)
				t.methods[fd.Name.Name] = &methodInfo{text: c.code[a:b], src: c.p.lineDirective(a) + r.text(a, b)}
			}
		}
	}
	var redefined []string
	inUnit := map[string]bool{}
	for _, d := range u.decls {
		fd, ok := d.(*ast.FuncDecl)
		if ok {
			c.addSpan(u, fd)
		}
		if !ok || fd.Recv != nil {
			continue
		}
		name := fd.Name.Name
		inUnit[name] = true
		if fd.Type.TypeParams != nil {
			s.generics[name] = true
		} else {
			delete(s.generics, name)
		}
		if _, existed := s.funcs[name]; existed {
			redefined = append(redefined, name)
		}
		refs := map[string]bool{}
		identUses(fd, func(id *ast.Ident) {
			if id.Obj == nil || u.file.Scope.Lookup(id.Name) == id.Obj {
				refs[id.Name] = true
			}
		})
		fs, fe := nodeRange(u, fd)
		s.funcs[name] = &funcInfo{src: c.p.lineDirective(fs) + r.text(fs, fe), refs: refs, seq: s.nextSeq()}
	}
	c.recordGlobals(u)
	if len(redefined) > 0 {
		c.reevalCallers(ctx, redefined, inUnit)
	}
	return nil
}

// receiverType returns the name of the type a method is declared on.
func receiverType(fd *ast.FuncDecl) string {
	t := fd.Recv.List[0].Type
	if st, ok := t.(*ast.StarExpr); ok {
		t = st.X
	}
	switch x := t.(type) {
	case *ast.IndexExpr:
		t = x.X
	case *ast.IndexListExpr:
		t = x.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// refreshTypesForMethods handles methods that u declares again, with a new body, on a type
// of an earlier cell: yaegi ignores a method declared twice. The type is declared again
// under a fresh internal name, with its other methods, so that u's methods attach to the
// fresh copy; later cells use it. Values made earlier keep the old type and methods.
func (c *cell) refreshTypesForMethods(ctx context.Context, u *unit, declaredHere map[string]*typeInfo) error {
	s := c.s
	for _, d := range u.decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Recv == nil {
			continue
		}
		name := receiverType(fd)
		t := s.types[name]
		if t == nil || declaredHere[name] != nil || t.rest == "" {
			continue
		}
		old := t.methods[fd.Name.Name]
		a, b := nodeRange(u, fd)
		if old == nil || old.text == c.code[a:b] {
			continue
		}
		s.renameN++
		fresh := fmt.Sprintf("%s_godl%d", name, s.renameN)
		if _, err := s.eval(ctx, t.dir+"type "+fresh+t.rest); err != nil {
			return c.cellError(err, u.first)
		}
		redefined := map[string]bool{}
		for _, d := range u.decls {
			if m, ok := d.(*ast.FuncDecl); ok && m.Recv != nil && receiverType(m) == name {
				redefined[m.Name.Name] = true
			}
		}
		oldName := regexp.MustCompile(`\b` + regexp.QuoteMeta(t.internal) + `\b`)
		methods := map[string]*methodInfo{}
		for m, info := range t.methods {
			if redefined[m] {
				continue
			}
			src := oldName.ReplaceAllString(info.src, fresh)
			if _, err := s.eval(ctx, src); err != nil {
				_, _ = fmt.Fprintf(s.stderr.w, "note: method %s.%s could not be moved to the redefined type: %v\n", name, m, unrename(err.Error()))
				continue
			}
			methods[m] = &methodInfo{text: info.text, src: src}
		}
		s.types[name] = &typeInfo{text: t.text, internal: fresh, dir: t.dir,
			rest: oldName.ReplaceAllString(t.rest, fresh), methods: methods}
		s.renames[name] = fresh
	}
	return nil
}

// reevalCallers re-evaluates the functions of earlier cells that call a redefined function,
// directly or through other functions, so that they call the new definition (yaegi binds
// calls when it compiles the caller).
func (c *cell) reevalCallers(ctx context.Context, redefined []string, inUnit map[string]bool) {
	s := c.s
	changed := map[string]bool{}
	for _, n := range redefined {
		changed[n] = true
	}
	// Functions of this unit that call a re-evaluated function are re-evaluated too
	// (after it: they come last in declaration order).
	var order []string
	for grew := true; grew; {
		grew = false
		for name, f := range s.funcs {
			if changed[name] {
				continue
			}
			for ref := range f.refs {
				if changed[ref] {
					changed[name] = true
					order = append(order, name)
					grew = true
					break
				}
			}
		}
	}
	sort.Slice(order, func(a, b int) bool { return s.funcs[order[a]].seq < s.funcs[order[b]].seq })
	for _, name := range order {
		if _, err := s.eval(ctx, s.funcs[name].src); err != nil {
			_, _ = fmt.Fprintf(s.stderr.w, "note: %s was not updated to call the new definitions: %v\n", name, unrename(err.Error()))
		}
	}
}

// evalStmt evaluates one top-level statement.
func (c *cell) evalStmt(ctx context.Context, u *unit) error {
	r := c.stmtRewriter(u)
	// yaegi cannot define a global from a generic call (and a failed attempt can break
	// the generic function): go through an interface directly.
	handled := false
	var err error
	if c.s.callsGeneric(u.stmts[0]) {
		handled, err = c.defineThroughAny(ctx, u, r)
	}
	if !handled {
		src := ";" + c.p.lineDirective(u.start) + r.text(u.start, u.end)
		_, err = c.s.eval(ctx, src)
	}
	if err != nil {
		return c.cellError(c.betterError(u, err), u.first)
	}
	c.recordGlobals(u)
	return nil
}

// defineThroughAny evaluates a top-level `x := E` that yaegi cannot compile (E a generic
// call) in two steps: E into an interface, then x from it with a type assertion to the
// value's dynamic type, when that type can be written in Go (else x keeps the interface).
// ok is false when u is not such a definition.
func (c *cell) defineThroughAny(ctx context.Context, u *unit, r *rewriter) (ok bool, err error) {
	as, isAssign := u.stmts[0].(*ast.AssignStmt)
	if !isAssign || as.Tok != token.DEFINE || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
		return false, nil
	}
	id, isIdent := as.Lhs[0].(*ast.Ident)
	if !isIdent {
		return false, nil
	}
	a, b := nodeRange(u, as.Rhs[0])
	v, err := c.s.eval(ctx, ";_godlAny := func() any { return "+r.orig(a, b)+" }()")
	if err != nil {
		return true, err
	}
	conv := ""
	if v.IsValid() && v.Kind() == reflect.Interface && !v.IsNil() {
		if t := v.Elem().Type(); t.Name() != "" || t.Kind() != reflect.Struct {
			conv = ".(" + t.String() + ")"
		}
	}
	if _, err := c.s.eval(ctx, ";"+c.p.lineDirective(u.start)+id.Name+" := _godlAny"+conv); err != nil && conv != "" {
		_, err = c.s.eval(ctx, ";"+c.p.lineDirective(u.start)+id.Name+" := _godlAny")
		return true, err
	}
	return true, nil
}

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

func (c *cell) stmtRewriter(u *unit) *rewriter {
	r := &rewriter{code: c.code, p: c.p}
	st := u.stmts[0]
	addRenameEdits(r, u, st, c.s.renames, nil)
	addGoEdits(r, u, st)
	addRangeIntEdits(r, u, st, c.s.isIntGlobal)
	addCommaOkEdit(r, u, st)
	r.sort()
	return r
}

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
)

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
		if v.Type().NumOut() == 1 {
			return yes
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
				sym, ok := exportsOf(p)[fun.Sel.Name]
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

// recordGlobals remembers the top-level names u declared, for completion, inspection and
// automatic imports.
func (c *cell) recordGlobals(u *unit) {
	for name, kind := range declaredNames(u) {
		g := &global{kind: kind}
		g.cell = c.p.where(declOff(u, name))
		g.decl, g.doc = declText(c.code, u, name)
		c.s.globals[name] = g
	}
}

// declOff returns the cell offset of name's declaration in u.
func declOff(u *unit, name string) int {
	off := u.start
	if u.kind != declUnit {
		return off
	}
	ast.Inspect(u.file, func(n ast.Node) bool {
		switch d := n.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == name {
				off = u.off(d.Pos())
			}
			return false
		case *ast.TypeSpec:
			if d.Name.Name == name {
				off = u.off(d.Pos())
			}
		case *ast.ValueSpec:
			for _, n := range d.Names {
				if n.Name == name {
					off = u.off(d.Pos())
				}
			}
		}
		return true
	})
	return off
}

// declText returns the source of name's declaration in u (function bodies left out) and
// its doc comment.
func declText(code string, u *unit, name string) (decl, doc string) {
	text := func(n ast.Node) string { a, b := nodeRange(u, n); return code[a:b] }
	if u.kind == stmtUnit {
		return strings.TrimSpace(text(u.stmts[0])), ""
	}
	for _, d := range u.decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == name {
				a, _ := nodeRange(u, d)
				_, b := nodeRange(u, d.Type)
				return code[a:b], d.Doc.Text()
			}
		case *ast.GenDecl:
			for _, sp := range d.Specs {
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					if sp.Name.Name == name {
						doc := d.Doc.Text()
						if sp.Doc != nil {
							doc = sp.Doc.Text()
						}
						return "type " + text(sp), doc
					}
				case *ast.ValueSpec:
					for _, n := range sp.Names {
						if n.Name == name {
							doc := d.Doc.Text()
							if sp.Doc != nil {
								doc = sp.Doc.Text()
							}
							return d.Tok.String() + " " + text(sp), doc
						}
					}
				}
			}
		}
	}
	return "", ""
}

// addSpan remembers where a function is declared, to name yaegi's panic frames.
func (c *cell) addSpan(u *unit, fd *ast.FuncDecl) {
	a, b := nodeRange(u, fd)
	from, _ := c.p.at(a)
	to, _ := c.p.at(b)
	nl, nc := c.p.at(u.off(fd.Name.Pos()))
	name := fd.Name.Name
	if fd.Recv != nil && len(fd.Recv.List) == 1 {
		rs, re := nodeRange(u, fd.Recv.List[0].Type)
		name = "(" + c.code[rs:re] + ")." + name
	}
	c.s.funcSpans = append(c.s.funcSpans, funcSpan{c.p.name, from, to, name, nl, nc})
}

func (s *Session) nextSeq() int { s.seq++; return s.seq }

// eval evaluates src, recovering the host panics yaegi lets escape. When ctx is cancelled
// during the evaluation, the evaluation goroutine yaegi abandoned is remembered, so that the
// next cell waits for it to leave compiled code.
func (s *Session) eval(ctx context.Context, src string) (v reflect.Value, err error) {
	s.filter.take()
	gid := goroutineID()
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = interp.Panic{Value: r, Stack: debug.Stack()}
			}
		}()
		v, err = s.i.EvalWithContext(ctx, src)
	}()
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		s.inflight = &inflight{gid: gid}
	}
	return v, err
}

// inflight is an evaluation that EvalWithContext stopped waiting for.
type inflight struct{ gid uint64 }

// wait waits until the abandoned evaluation goroutine has ended. It gives up, returning
// false, when ctx is done or, with a positive timeout, when timeout has passed.
func (f *inflight) wait(ctx context.Context, timeout time.Duration) bool {
	var deadline <-chan time.Time
	if timeout > 0 {
		deadline = time.After(timeout)
	}
	marker := fmt.Sprintf("created by github.com/traefik/yaegi/interp.(*Interpreter).EvalWithContext in goroutine %d\n", f.gid)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		for n == len(buf) {
			buf = make([]byte, 2*len(buf))
			n = runtime.Stack(buf, true)
		}
		if !strings.Contains(string(buf[:n]), marker) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-deadline:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// goroutineID returns the id of the calling goroutine, from its stack header.
func goroutineID() uint64 {
	var b [64]byte
	n := runtime.Stack(b[:], false)
	f := strings.Fields(string(b[:n]))
	if len(f) < 2 {
		return 0
	}
	id, _ := strconv.ParseUint(f[1], 10, 64)
	return id
}

// Errors.

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
		msg := unrename(fmt.Sprint(p.Value))
		name := "panic"
		if strings.HasPrefix(msg, "os.Exit(") {
			name = "Exit"
		}
		e := &CellError{Name: name, Value: msg}
		if where != "" && !strings.HasPrefix(msg, "cell") {
			e.Value = where + ": " + msg
		}
		e.Traceback = append(e.Traceback, "panic: "+msg)
		e.Traceback = append(e.Traceback, c.s.traceback(c.s.filter.take())...)
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
		return &CellError{Name: "CompileError", Value: msg, Traceback: []string{msg}}
	}
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
