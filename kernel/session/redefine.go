package session

import (
	"context"
	"fmt"
	"go/ast"
	"regexp"
	"sort"
)

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
func (c *cell) reevalCallers(ctx context.Context, redefined []string) {
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
