package session

import (
	"fmt"
	"go/ast"
	"go/token"
	"reflect"
	"sort"
	"strings"

	"godl.dev/godl/display"
)

// Rewriting a cell before yaegi sees it, to work around yaegi v0.16.1:
//
//   - `go f(a, b)` becomes `{ a0 := a; go func() { defer recover-and-report; f(a0, b) }() }`
//     (arguments are still evaluated when the go statement runs): a panic in a goroutine
//     would otherwise end the process.
//   - top-level `v, ok := x.(T)`, `v, ok := m[k]` and `v, ok := <-ch` become forms yaegi
//     accepts (it panics with "nil type" on a two-value definition of a global).
//   - `for i := range n` over an integer becomes a three-clause loop when the range
//     expression is recognisably an integer (yaegi crashes on range-over-int).
//   - a type declared again under an earlier name is declared under a fresh internal name,
//     and later references follow it (yaegi silently ignores a redeclared type).
//   - a top-level compound statement (if, for, switch, select, a block, a labeled
//     statement) runs inside a function literal: yaegi mishandles comma-ok forms and type
//     switches in the global scope. Variables it declares are local to it in Go anyway,
//     and assignments to globals reach them through the closure.
//   - a compiled function's variadic interface arguments are passed as a slice
//     (pkg.F(a, b) becomes pkg.F([]pkg.I{a, b}...)): yaegi panics on a cell's type there.
//   - min and max get their variable argument first, and float64 constants (type
//     inference of the prelude's generic min and max).
//   - h.Show(v) and h.Update(v) on a display handle become h.Show(display.Render(v)), so
//     that a cell type's rendering methods are seen (MapTypes covers functions only).
//
// Edits replace byte ranges of the cell. Text copied from the cell after synthetic text is
// preceded by a /*line*/ comment, so every position yaegi reports still points into the
// cell.

// edit replaces code[start:end]; render builds the replacement and may copy sub-ranges of
// the cell (with their own edits applied) through rewriter.orig.
type edit struct {
	start, end int
	render     func(r *rewriter) string
}

type rewriter struct {
	code   string
	p      cellPos
	edits  []edit
	n      int          // counter for fresh names
	active map[int]bool // edits being rendered: an edit may copy its own range
}

func (r *rewriter) add(start, end int, render func(r *rewriter) string) {
	r.edits = append(r.edits, edit{start, end, render})
}

func (r *rewriter) sort() {
	sort.SliceStable(r.edits, func(i, j int) bool {
		a, b := r.edits[i], r.edits[j]
		if a.start != b.start {
			return a.start < b.start
		}
		return a.end > b.end // outer first
	})
}

// text returns code[a:b] with the outermost edits inside it applied.
func (r *rewriter) text(a, b int) string {
	var sb strings.Builder
	cur := a
	synthetic := false
	for i, e := range r.edits {
		if e.start < cur || e.end > b || e.start < a || r.active[i] {
			continue
		}
		if e.start > cur {
			if synthetic {
				sb.WriteString(r.p.inlineDirective(cur))
			}
			sb.WriteString(r.code[cur:e.start])
		}
		if r.active == nil {
			r.active = map[int]bool{}
		}
		r.active[i] = true
		sb.WriteString(e.render(r))
		delete(r.active, i)
		synthetic = true
		cur = e.end
	}
	if cur < b {
		if synthetic {
			sb.WriteString(r.p.inlineDirective(cur))
		}
		sb.WriteString(r.code[cur:b])
	}
	return sb.String()
}

// orig returns code[a:b] with its edits, positioned at a.
func (r *rewriter) orig(a, b int) string { return r.p.inlineDirective(a) + r.text(a, b) }

func (r *rewriter) fresh(prefix string) string {
	r.n++
	return fmt.Sprintf("_godl%s%d", prefix, r.n)
}

// nodeRange returns the cell offsets of n in unit u.
func nodeRange(u *unit, n ast.Node) (int, int) { return u.off(n.Pos()), u.off(n.End()) }

// addGoEdits rewrites every go statement of u.
func addGoEdits(r *rewriter, u *unit, root ast.Node) {
	ast.Inspect(root, func(n ast.Node) bool {
		gs, ok := n.(*ast.GoStmt)
		if !ok {
			return true
		}
		start, end := nodeRange(u, gs)
		call := gs.Call
		r.add(start, end, func(r *rewriter) string {
			var b strings.Builder
			b.WriteString("{ ")
			var args []string
			for _, a := range call.Args {
				as, ae := nodeRange(u, a)
				if _, lit := a.(*ast.BasicLit); lit {
					args = append(args, r.orig(as, ae))
					continue
				}
				name := r.fresh("Arg")
				fmt.Fprintf(&b, "%s := %s; ", name, r.orig(as, ae))
				args = append(args, name)
			}
			b.WriteString("go func() { defer func() { _godl.GoPanic(recover()) }(); ")
			fs, fe := nodeRange(u, call.Fun)
			b.WriteString(r.orig(fs, fe))
			b.WriteString("(" + strings.Join(args, ", "))
			if call.Ellipsis.IsValid() {
				b.WriteString("...")
			}
			b.WriteString(") }() }")
			return b.String()
		})
		return true
	})
}

// addCommaOkEdit rewrites a top-level two-value definition or assignment from a type
// assertion, a map index or a channel receive. elemType returns the element type, as Go
// source, of the channel an expression denotes ("" when it cannot be written).
func addCommaOkEdit(r *rewriter, u *unit, st ast.Stmt, elemType func(ast.Expr) string) {
	as, ok := st.(*ast.AssignStmt)
	if !ok || len(as.Lhs) != 2 || len(as.Rhs) != 1 || (as.Tok != token.DEFINE && as.Tok != token.ASSIGN) {
		return
	}
	lhs := func(i int) string { s, e := nodeRange(u, as.Lhs[i]); return r.orig(s, e) }
	blank := func(i int) bool { id, ok := as.Lhs[i].(*ast.Ident); return ok && id.Name == "_" }
	op := as.Tok.String()
	start, end := nodeRange(u, as)
	switch x := as.Rhs[0].(type) {
	case *ast.TypeAssertExpr:
		if x.Type == nil {
			return
		}
		r.add(start, end, func(r *rewriter) string {
			xs, xe := nodeRange(u, x.X)
			ts, te := nodeRange(u, x.Type)
			typ := r.orig(ts, te)
			return fmt.Sprintf("%s, %s %s func() (%s, bool) { v, ok := %s.(%s); return v, ok }()",
				lhs(0), lhs(1), op, typ, r.orig(xs, xe), typ)
		})
	case *ast.UnaryExpr:
		if x.Op != token.ARROW || elemType == nil {
			return
		}
		elem := elemType(x.X)
		if elem == "" {
			return
		}
		r.add(start, end, func(r *rewriter) string {
			xs, xe := nodeRange(u, x.X)
			return fmt.Sprintf("%s, %s %s func() (%s, bool) { v, ok := <-%s; return v, ok }()",
				lhs(0), lhs(1), op, elem, r.orig(xs, xe))
		})
	case *ast.IndexExpr:
		r.add(start, end, func(r *rewriter) string {
			xs, xe := nodeRange(u, x)
			var parts []string
			if !blank(0) {
				parts = append(parts, fmt.Sprintf("%s %s %s", lhs(0), op, r.orig(xs, xe)))
			}
			if !blank(1) {
				parts = append(parts, fmt.Sprintf("%s %s func() bool { _, ok := %s; return ok }()", lhs(1), op, r.orig(xs, xe)))
			}
			return strings.Join(parts, "; ")
		})
	}
}

// addRangeIntEdits rewrites range loops over recognisable integers.
func addRangeIntEdits(r *rewriter, u *unit, root ast.Node, isIntGlobal func(string) bool) {
	ast.Inspect(root, func(n ast.Node) bool {
		rs, ok := n.(*ast.RangeStmt)
		if !ok || rs.Value != nil || (rs.Key != nil && rs.Tok != token.DEFINE) || !isIntExpr(rs.X, isIntGlobal) {
			return true
		}
		start := u.off(rs.Range)
		if rs.Key != nil {
			start = u.off(rs.Key.Pos())
		}
		_, end := nodeRange(u, rs.X)
		r.add(start, end, func(r *rewriter) string {
			k := r.fresh("K")
			if id, ok := rs.Key.(*ast.Ident); ok && id.Name != "_" {
				k = id.Name
			}
			n := r.fresh("N")
			xs, xe := nodeRange(u, rs.X)
			x := r.orig(xs, xe)
			return fmt.Sprintf("%s, %s := (%s)-(%s), %s; %s < %s; %s++", k, n, x, x, x, k, n, k)
		})
		return true
	})
}

var intTypes = map[string]bool{
	"int": true, "int8": true, "int16": true, "int32": true, "int64": true,
	"uint": true, "uint8": true, "uint16": true, "uint32": true, "uint64": true, "uintptr": true,
	"byte": true, "rune": true,
}

// isIntExpr reports whether e is recognisably an integer: a literal, len or cap, a
// conversion to an integer type, arithmetic on those, or a variable declared from one (or
// a session global holding an integer).
func isIntExpr(e ast.Expr, isIntGlobal func(string) bool) bool {
	switch x := e.(type) {
	case *ast.BasicLit:
		return x.Kind == token.INT
	case *ast.ParenExpr:
		return isIntExpr(x.X, isIntGlobal)
	case *ast.BinaryExpr:
		switch x.Op {
		case token.ADD, token.SUB, token.MUL, token.QUO, token.REM, token.SHL, token.SHR, token.AND, token.OR, token.XOR:
			return isIntExpr(x.X, isIntGlobal) || isIntExpr(x.Y, isIntGlobal)
		}
	case *ast.CallExpr:
		if id, ok := x.Fun.(*ast.Ident); ok && (id.Name == "len" || id.Name == "cap" || intTypes[id.Name]) {
			return true
		}
	case *ast.Ident:
		if x.Obj == nil {
			return isIntGlobal(x.Name)
		}
		switch d := x.Obj.Decl.(type) {
		case *ast.Field:
			if t, ok := d.Type.(*ast.Ident); ok {
				return intTypes[t.Name]
			}
		case *ast.ValueSpec:
			if t, ok := d.Type.(*ast.Ident); ok {
				return intTypes[t.Name]
			}
			for i, n := range d.Names {
				if n.Name == x.Name && i < len(d.Values) {
					return isIntExpr(d.Values[i], isIntGlobal)
				}
			}
		case *ast.AssignStmt:
			if len(d.Lhs) == len(d.Rhs) {
				for i, l := range d.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name == x.Name {
						return isIntExpr(d.Rhs[i], isIntGlobal)
					}
				}
			}
		}
	}
	return false
}

// identUses calls f for each identifier of root that names something (not a selector's
// member, a struct field or parameter name, or a composite literal key).
func identUses(root ast.Node, f func(id *ast.Ident)) {
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(x.X, visit)
			return false
		case *ast.Field:
			if x.Type != nil {
				ast.Inspect(x.Type, visit)
			}
			return false
		case *ast.KeyValueExpr:
			if _, isIdent := x.Key.(*ast.Ident); !isIdent {
				ast.Inspect(x.Key, visit)
			}
			ast.Inspect(x.Value, visit)
			return false
		case *ast.FuncDecl:
			if x.Recv != nil {
				for _, fl := range x.Recv.List {
					ast.Inspect(fl.Type, visit)
				}
			}
			if x.Type.TypeParams != nil {
				ast.Inspect(x.Type.TypeParams, visit)
			}
			ast.Inspect(x.Type.Params, visit)
			if x.Type.Results != nil {
				ast.Inspect(x.Type.Results, visit)
			}
			if x.Body != nil {
				ast.Inspect(x.Body, visit)
			}
			return false
		case *ast.Ident:
			f(x)
		}
		return true
	}
	ast.Inspect(root, visit)
}

// addRenameEdits renames references to redeclared types: unresolved identifiers (globals
// of earlier cells) found in renames, and this unit's own new declarations in local.
func addRenameEdits(r *rewriter, u *unit, root ast.Node, renames map[string]string, local map[*ast.Object]string) {
	identUses(root, func(id *ast.Ident) {
		var to string
		if id.Obj == nil {
			to = renames[id.Name]
		} else {
			to = local[id.Obj]
		}
		if to == "" || to == id.Name {
			return
		}
		s, e := nodeRange(u, id)
		r.add(s, e, func(*rewriter) string { return to })
	})
	// Declaration names themselves (TypeSpec.Name is visited by identUses as an Ident).
}

// addVariadicEdits rewrites calls of compiled functions whose variadic parameter is an
// interface, f(a, b) into f([]pkg.Iface{a, b}...): yaegi panics when it passes a value of
// a type declared in a cell as a variadic interface argument directly, and converts it
// fine in a slice literal. Package functions (pkg.F) and methods of session variables
// (model.Add) are recognised.
func (s *Session) addVariadicEdits(r *rewriter, u *unit, root ast.Node) {
	ast.Inspect(root, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || call.Ellipsis.IsValid() || len(call.Args) == 0 {
			return true
		}
		ft := s.compiledFuncType(call.Fun)
		if ft == nil || !ft.IsVariadic() || len(call.Args) < ft.NumIn() {
			return true
		}
		elem := ft.In(ft.NumIn() - 1).Elem()
		if elem.Kind() != reflect.Interface || elem.NumMethod() == 0 || elem.Name() == "" {
			return true
		}
		qual := ""
		for name, p := range s.imported {
			if p == elem.PkgPath() {
				qual = name
				break
			}
		}
		if qual == "" {
			return true
		}
		typ := qual + "." + elem.Name()
		first := call.Args[ft.NumIn()-1]
		last := call.Args[len(call.Args)-1]
		a, _ := nodeRange(u, first)
		_, b := nodeRange(u, last)
		r.add(a, b, func(r *rewriter) string {
			return "[]" + typ + "{" + r.orig(a, b) + "}..."
		})
		return true
	})
}

// compiledFuncType returns the type of the compiled function or method fun names, or nil:
// pkg.F for an imported package, or v.M for a session variable v.
func (s *Session) compiledFuncType(fun ast.Expr) reflect.Type {
	sel, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	x, ok := sel.X.(*ast.Ident)
	if !ok || x.Obj != nil {
		return nil
	}
	if p, ok := s.imported[x.Name]; ok && !s.isGlobal(x.Name) {
		if v, ok := s.exportsOf(p)[sel.Sel.Name]; ok && v.Kind() == reflect.Func {
			return v.Type()
		}
		return nil
	}
	if g := s.globals[x.Name]; g == nil || g.kind != "var" {
		return nil
	}
	v, err := s.i.Eval(x.Name)
	if err != nil || !v.IsValid() {
		return nil
	}
	if m := v.MethodByName(sel.Sel.Name); m.IsValid() {
		return m.Type()
	}
	return nil
}

// addCompoundWrap runs a top-level compound statement inside a function literal.
func addCompoundWrap(r *rewriter, u *unit, st ast.Stmt) {
	switch st.(type) {
	case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt,
		*ast.SelectStmt, *ast.BlockStmt, *ast.LabeledStmt:
	default:
		return
	}
	a, b := nodeRange(u, st)
	r.add(a, b, func(r *rewriter) string {
		return "func() { " + r.orig(a, b) + "\n}()"
	})
}

// addMinMaxEdits helps yaegi infer the type parameter of the min and max of the prelude,
// which it takes from the first argument and cannot take from an untyped float constant:
// a non-constant argument is moved first (min and max do not depend on the order), and
// when all are constants and one is a float, the numeric constants become float64.
func (s *Session) addMinMaxEdits(r *rewriter, u *unit, root ast.Node) {
	ast.Inspect(root, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) < 2 || call.Ellipsis.IsValid() {
			return true
		}
		id, ok := call.Fun.(*ast.Ident)
		if !ok || id.Obj != nil || (id.Name != "min" && id.Name != "max") {
			return true
		}
		if g := s.globals[id.Name]; g == nil || g.kind != "builtin" {
			return true // the user's own min or max
		}
		first, float := -1, false
		for i, a := range call.Args {
			lit := constantLit(a)
			if lit == nil {
				if first < 0 {
					first = i
				}
				continue
			}
			float = float || lit.Kind == token.FLOAT
		}
		if first == 0 || (first < 0 && !float) {
			return true
		}
		a, _ := nodeRange(u, call.Args[0])
		_, b := nodeRange(u, call.Args[len(call.Args)-1])
		r.add(a, b, func(r *rewriter) string {
			var parts []string
			order := make([]ast.Expr, 0, len(call.Args))
			if first > 0 {
				order = append(order, call.Args[first])
			}
			for i, arg := range call.Args {
				if i != first {
					order = append(order, arg)
				}
			}
			for _, arg := range order {
				as, ae := nodeRange(u, arg)
				text := r.orig(as, ae)
				if lit := constantLit(arg); first < 0 && lit != nil && lit.Kind != token.STRING {
					text = "float64(" + text + ")"
				}
				parts = append(parts, text)
			}
			return strings.Join(parts, ", ")
		})
		return true
	})
}

// constantLit returns the literal of a constant argument (1, -2.5, "s"), or nil.
func constantLit(e ast.Expr) *ast.BasicLit {
	e = ast.Unparen(e)
	if un, ok := e.(*ast.UnaryExpr); ok && (un.Op == token.SUB || un.Op == token.ADD) {
		e = un.X
	}
	lit, _ := e.(*ast.BasicLit)
	return lit
}

var handleType = reflect.TypeOf((*display.Handle)(nil))

// addHandleEdits renders the argument of h.Show(v) and h.Update(v), for a session variable
// h holding a *display.Handle, through display.Render inside the interpreter: yaegi applies
// MapTypes to package functions only, so a compiled method would not see the rendering
// methods of a type declared in a cell.
func (s *Session) addHandleEdits(r *rewriter, u *unit, root ast.Node) {
	ast.Inspect(root, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 || call.Ellipsis.IsValid() {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || (sel.Sel.Name != "Show" && sel.Sel.Name != "Update") {
			return true
		}
		x, ok := sel.X.(*ast.Ident)
		if !ok || x.Obj != nil {
			return true
		}
		if g := s.globals[x.Name]; g == nil || g.kind != "var" {
			return true
		}
		v, err := s.i.Eval(x.Name)
		if err != nil || !v.IsValid() || v.Type() != handleType {
			return true
		}
		a, b := nodeRange(u, call.Args[0])
		r.add(a, b, func(r *rewriter) string { return "_godl.Render(" + r.orig(a, b) + ")" })
		return true
	})
}
