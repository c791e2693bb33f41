package session

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"strconv"
	"strings"

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
	kinds := map[string]string{} // what the cell declares: name → kind
	for i := range c.units {
		u := &c.units[i]
		if err := u.parse(c.p, c.code); err != nil {
			return nil, syntaxError(err)
		}
		for n, k := range declaredNames(u) {
			c.declared[n] = true
			kinds[n] = k
		}
	}
	for i := range c.units {
		if err := c.checkTypeUses(&c.units[i], kinds); err != nil {
			return nil, &CellError{Name: "CompileError", Value: err.Error(), Traceback: []string{err.Error()}}
		}
	}
	if err := c.imports(ctx); err != nil {
		return nil, err
	}
	var result *display.Bundle
	var deferred []*unit
	for i := range c.units {
		u := &c.units[i]
		var err error
		switch u.kind {
		case declUnit:
			err = c.evalDecl(ctx, u)
		case stmtUnit:
			if _, isDefer := u.stmts[0].(*ast.DeferStmt); isDefer {
				deferred = append(deferred, u)
				continue
			}
			if _, isExpr := u.stmts[0].(*ast.ExprStmt); isExpr && u.isLast {
				result, err = c.evalResult(ctx, u)
			} else {
				err = c.evalStmt(ctx, u)
			}
		}
		if err != nil {
			c.runDeferred(ctx, deferred)
			return nil, err
		}
	}
	if err := c.runDeferred(ctx, deferred); err != nil {
		return nil, err
	}
	if c.declaresMainOnly() {
		// A Go program pasted whole: run it.
		if _, err := s.eval(ctx, mainName+"()"); err != nil {
			return nil, c.cellError(err, -1)
		}
	}
	return result, nil
}

// runDeferred runs the calls of the cell's top-level defer statements, last first, when the
// cell ends (yaegi would keep them in its global frame and run them again after every later
// evaluation). Their arguments are evaluated then, not at the defer statement. An
// interrupted cell skips them (a deferred call must not be able to hold the kernel).
func (c *cell) runDeferred(ctx context.Context, units []*unit) error {
	var first error
	for i := len(units) - 1; i >= 0; i-- {
		u := units[i]
		call := u.stmts[0].(*ast.DeferStmt).Call
		r := c.stmtRewriter(u)
		a, b := nodeRange(u, call)
		if _, err := c.s.eval(ctx, ";"+c.p.lineDirective(a)+r.text(a, b)); err != nil && first == nil {
			first = c.cellError(err, a)
		}
	}
	return first
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
			name := s.packageName(p)
			if im.Name != nil {
				name = im.Name.Name
			}
			if name == "_" {
				continue // binary packages have nothing to initialise
			}
			if name == "." {
				if _, err := s.eval(ctx, c.p.lineDirective(u.off(im.Pos()))+fmt.Sprintf("import . %q", p)); err != nil {
					return c.cellError(err, u.off(im.Pos()))
				}
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
			if p := s.choosePackage(id.Name, sel.Sel.Name); p != "" {
				specs = append(specs, importSpec{id.Name, p, -1})
				want[id.Name] = true
			}
			return true
		})
	}
	for _, sp := range specs {
		prev, ok := s.imported[sp.name]
		if ok && prev == sp.path {
			continue // already imported: a re-run cell
		}
		where := c.p.where(max(sp.off, 0))
		if ok {
			return &CellError{Name: "CompileError", Value: fmt.Sprintf("%s: %s is already imported as %q: import %q under another name, such as import %s2 %q",
				where, sp.name, prev, sp.path, sp.name, sp.path)}
		}
		if !s.isKnownPath(sp.path) && s.opts.GoPath == "" {
			return &CellError{Name: "CompileError", Value: fmt.Sprintf("%s: cannot import %q: cells can import the standard library and godl's packages (see package stdlib)",
				where, sp.path)}
		}
		src := c.p.lineDirective(max(sp.off, 0)) + fmt.Sprintf("import %s %q", sp.name, sp.path)
		if _, err := s.eval(ctx, src); err != nil {
			return c.cellError(err, sp.off)
		}
		s.imported[sp.name] = sp.path
	}
	return nil
}

// isKnownPath reports whether p is the import path of a preloaded package.
func (s *Session) isKnownPath(p string) bool {
	for _, paths := range s.known {
		for _, q := range paths {
			if q == p {
				return true
			}
		}
	}
	return false
}

// packageName returns the name of the package at import path p as cells know it.
func (s *Session) packageName(p string) string {
	for name, paths := range s.known {
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
func (s *Session) choosePackage(name, sym string) string {
	paths := s.known[name]
	for _, p := range paths {
		if _, ok := s.exportsOf(p)[sym]; ok {
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
	s.addVariadicEdits(r, u, u.file)
	s.addMinMaxEdits(r, u, u.file)
	s.addHandleEdits(r, u, u.file)
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
	for _, d := range u.decls {
		fd, ok := d.(*ast.FuncDecl)
		if ok {
			c.addSpan(u, fd)
		}
		if !ok || fd.Recv != nil {
			continue
		}
		name := fd.Name.Name
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
		c.reevalCallers(ctx, redefined)
	}
	return nil
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

// chanElemType returns the element type, as Go source, of the session variable x
// denotes when it is a channel whose element type can be written in Go.
func (s *Session) chanElemType(x ast.Expr) string {
	id, ok := x.(*ast.Ident)
	if !ok || id.Obj != nil {
		return ""
	}
	if g := s.globals[id.Name]; g == nil || g.kind != "var" {
		return ""
	}
	v, err := s.i.Eval(id.Name)
	if err != nil || !v.IsValid() || v.Kind() != reflect.Chan {
		return ""
	}
	t := v.Type().Elem()
	if t.Name() == "" && t.Kind() == reflect.Struct {
		return "" // a type declared in a cell: yaegi reflects it as an anonymous struct
	}
	return t.String()
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

func (c *cell) stmtRewriter(u *unit) *rewriter {
	r := &rewriter{code: c.code, p: c.p}
	st := u.stmts[0]
	addRenameEdits(r, u, st, c.s.renames, nil)
	c.s.addVariadicEdits(r, u, st)
	c.s.addMinMaxEdits(r, u, st)
	c.s.addHandleEdits(r, u, st)
	addGoEdits(r, u, st)
	addRangeIntEdits(r, u, st, c.s.isIntGlobal)
	addCommaOkEdit(r, u, st, c.s.chanElemType)
	addCompoundWrap(r, u, st)
	r.sort()
	return r
}

// recordGlobals remembers the top-level names u declared, for completion, inspection and
// automatic imports.
func (c *cell) recordGlobals(u *unit) {
	for name, kind := range declaredNames(u) {
		g := &global{kind: kind}
		g.cell = c.p.where(declOff(u, name))
		g.decl, g.doc = declText(c.code, u, name)
		if kind == "var" {
			g.typ = declaredType(u, name)
		}
		c.s.globals[name] = g
	}
}

// declaredType returns the name of the type a statement unit gives variable name, when it
// is written there: x := T{...}, x := &T{...} or var x T (or *T).
func declaredType(u *unit, name string) string {
	typeName := func(e ast.Expr) string {
		if st, ok := e.(*ast.StarExpr); ok {
			e = st.X
		}
		if id, ok := e.(*ast.Ident); ok {
			return id.Name
		}
		return ""
	}
	litType := func(e ast.Expr) string {
		if un, ok := e.(*ast.UnaryExpr); ok && un.Op == token.AND {
			e = un.X
		}
		if cl, ok := e.(*ast.CompositeLit); ok && cl.Type != nil {
			return typeName(cl.Type)
		}
		return ""
	}
	if u.kind != stmtUnit {
		return ""
	}
	switch st := u.stmts[0].(type) {
	case *ast.AssignStmt:
		for i, l := range st.Lhs {
			if id, ok := l.(*ast.Ident); ok && id.Name == name && len(st.Rhs) == len(st.Lhs) {
				return litType(st.Rhs[i])
			}
		}
	case *ast.DeclStmt:
		if g, ok := st.Decl.(*ast.GenDecl); ok {
			for _, sp := range g.Specs {
				vs, ok := sp.(*ast.ValueSpec)
				if !ok {
					continue
				}
				for i, n := range vs.Names {
					if n.Name != name {
						continue
					}
					if vs.Type != nil {
						return typeName(vs.Type)
					}
					if i < len(vs.Values) {
						return litType(vs.Values[i])
					}
				}
			}
		}
	}
	return ""
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
