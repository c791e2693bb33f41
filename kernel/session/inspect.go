package session

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/build"
	"go/doc"
	"go/parser"
	"go/printer"
	"go/token"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"

	"godl.dev/godl/display"
)

// Inspect returns documentation for the symbol at cursor (a rune offset); found is false
// when there is none. For a package member it gives the declaration and doc comment from
// the package's Go source (GOROOT, or the godl module), falling back to the reflected
// signature when the source is not available; for a name the session declared, the
// declaration, its doc comment, the cell that declared it and, for variables, the current
// type. detailLevel 1 adds a variable's value.
func (s *Session) Inspect(code string, cursor, detailLevel int) (display.Bundle, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := runeToByte(code, cursor)
	ws, we := identStart(code, b), identEnd(code, b)
	if ws == we && b > 0 {
		// The cursor after "f(": look at the word before.
		t := len(strings.TrimRight(code[:b], "( "))
		ws, we = identStart(code, t), t
	}
	name := code[ws:we]
	if name == "" {
		return display.Bundle{}, false
	}
	qual := ""
	if ws > 0 && code[ws-1] == '.' {
		qual = code[identStart(code, ws-1) : ws-1]
	}

	var sig, docText, extra string
	switch {
	case qual != "" && !s.isGlobal(qual):
		p := s.imported[qual]
		if p == "" && len(s.known[qual]) > 0 {
			p = s.known[qual][0]
		}
		if p == "" {
			return display.Bundle{}, false
		}
		sym, ok := s.exportsOf(p)[name]
		if !ok {
			return display.Bundle{}, false
		}
		sig, docText = packageDoc(p, name)
		if sig == "" {
			sig = reflectSignature(qual+"."+name, sym)
		}
		extra = "package " + p
	case qual != "" && s.isGlobal(qual):
		// A method or field of a session variable: document it from its type's package.
		v, err := s.i.Eval(qual)
		if err != nil || !v.IsValid() {
			return display.Bundle{}, false
		}
		t := v.Type()
		m, ok := t.MethodByName(name)
		if !ok {
			return display.Bundle{}, false
		}
		base := t
		for base.Kind() == reflect.Pointer {
			base = base.Elem()
		}
		if base.PkgPath() != "" {
			sig, docText = methodDoc(base.PkgPath(), base.Name(), name)
			extra = "method of " + base.String()
		}
		if sig == "" {
			sig = "func (" + t.String() + ") " + name + strings.TrimPrefix(m.Type.String(), "func")
		}
	case qual == "" && s.isGlobal(name):
		g := s.globals[name]
		sig, docText = g.decl, g.doc
		if g.cell != "" {
			extra = "declared in " + g.cell
		}
		if g.kind == "var" {
			if v, err := s.i.Eval(name); err == nil && v.IsValid() {
				typ := v.Type().String()
				if g.typ != "" {
					typ = g.typ + " (declared in a cell)"
					if v.Kind() == reflect.Pointer {
						typ = "*" + typ
					}
				}
				extra += "\ntype: " + typ
				if detailLevel > 0 {
					extra += fmt.Sprintf("\nvalue: %v", v)
				}
			}
		}
		if f := s.funcs[name]; f != nil && detailLevel > 0 {
			sig = strings.TrimSpace(directives.ReplaceAllString(unrename(f.src), ""))
		}
	case qual == "" && (s.imported[name] != "" || len(s.known[name]) > 0):
		p := s.imported[name]
		if p == "" {
			p = s.known[name][0]
		}
		sig = "package " + name + " // import \"" + p + "\""
		docText = packageSynopsis(p)
	case qual == "" && universe[name]:
		// A builtin (len, append, min...): the builtin package documents them.
		sig, docText = packageDoc("builtin", name)
		if sig == "" {
			return display.Bundle{}, false
		}
		extra = "builtin"
	default:
		return display.Bundle{}, false
	}
	var plain strings.Builder
	plain.WriteString(sig)
	if docText != "" {
		plain.WriteString("\n\n" + strings.TrimSpace(docText))
	}
	if extra != "" {
		plain.WriteString("\n\n" + extra)
	}
	md := "```go\n" + sig + "\n```\n"
	if docText != "" {
		md += "\n" + strings.TrimSpace(docText) + "\n"
	}
	if extra != "" {
		md += "\n" + strings.ReplaceAll(extra, "\n", "  \n") + "\n"
	}
	return display.Bundle{Data: map[string]any{
		display.MIMEText:     plain.String(),
		display.MIMEMarkdown: md,
	}}, true
}

func reflectSignature(name string, v reflect.Value) string {
	if v.Kind() == reflect.Func {
		return "func " + name + strings.TrimPrefix(v.Type().String(), "func")
	}
	if v.Kind() == reflect.Pointer && v.IsNil() {
		return "type " + name + " " + v.Type().Elem().Kind().String()
	}
	return name + " " + v.Type().String()
}

// docCache holds parsed package documentation by import path (nil when unavailable).
var docCache sync.Map

func loadDoc(p string) *doc.Package {
	if d, ok := docCache.Load(p); ok {
		return d.(*doc.Package)
	}
	var d *doc.Package
	if bp, err := build.Import(p, ".", 0); err == nil {
		fset := token.NewFileSet()
		var files []*ast.File
		for _, f := range bp.GoFiles {
			if af, err := parser.ParseFile(fset, filepath.Join(bp.Dir, f), nil, parser.ParseComments); err == nil {
				files = append(files, af)
			}
		}
		var mode doc.Mode
		if p == "builtin" {
			mode = doc.AllDecls // its identifiers are lower case
		}
		if dp, err := doc.NewFromFiles(fset, files, p, mode); err == nil {
			d = dp
			docFsets.Store(p, fset)
		}
	}
	docCache.Store(p, d)
	return d
}

var docFsets sync.Map

// packageDoc returns the declaration and doc comment of name in package p.
func packageDoc(p, name string) (sig, text string) {
	d := loadDoc(p)
	if d == nil {
		return "", ""
	}
	f, _ := docFsets.Load(p)
	fset := f.(*token.FileSet)
	format := func(decl ast.Node) string {
		var b bytes.Buffer
		if fd, ok := decl.(*ast.FuncDecl); ok {
			c := *fd
			c.Body, c.Doc = nil, nil
			decl = &c
		}
		if err := printer.Fprint(&b, fset, decl); err != nil {
			return ""
		}
		return b.String()
	}
	for _, fn := range d.Funcs {
		if fn.Name == name {
			return format(fn.Decl), fn.Doc
		}
	}
	for _, t := range d.Types {
		if t.Name == name {
			return format(t.Decl), t.Doc
		}
		for _, fn := range t.Funcs {
			if fn.Name == name {
				return format(fn.Decl), fn.Doc
			}
		}
		for _, v := range append(t.Consts, t.Vars...) {
			for _, n := range v.Names {
				if n == name {
					return format(v.Decl), v.Doc
				}
			}
		}
	}
	for _, v := range append(d.Consts, d.Vars...) {
		for _, n := range v.Names {
			if n == name {
				return format(v.Decl), v.Doc
			}
		}
	}
	return "", ""
}

func packageSynopsis(p string) string {
	if d := loadDoc(p); d != nil {
		return d.Synopsis(d.Doc)
	}
	return ""
}

// methodDoc returns the declaration and doc comment of method name of type typ in package p.
func methodDoc(p, typ, name string) (sig, text string) {
	d := loadDoc(p)
	if d == nil {
		return "", ""
	}
	f, _ := docFsets.Load(p)
	fset := f.(*token.FileSet)
	for _, t := range d.Types {
		if t.Name != typ {
			continue
		}
		for _, m := range t.Methods {
			if m.Name == name {
				c := *m.Decl
				c.Body, c.Doc = nil, nil
				var b bytes.Buffer
				if printer.Fprint(&b, fset, &c) == nil {
					return b.String(), m.Doc
				}
			}
		}
	}
	return "", ""
}

// directives matches the line directives of evaluated source.
var directives = regexp.MustCompile(`(?m)/\*line [^*]*\*/|^//line .*$`)
