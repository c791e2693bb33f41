package session

import (
	"go/scanner"
	"go/token"
	"reflect"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Complete returns candidate completions for the code at cursor (a rune offset: protocol
// 5.3 counts Unicode code points), and the rune range [start,end) they replace.
//
// After "pkg." it lists the exported members of a package (imported or importable by name);
// after "v." the fields and methods of a session variable; otherwise the session's names,
// package names, keywords and builtins. Matching is by prefix.
func (s *Session) Complete(code string, cursor int) (matches []string, start, end int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := runeToByte(code, cursor)
	ws := identStart(code, b)
	prefix := code[ws:b]
	start, end = byteToRune(code, ws), cursor

	if ws > 0 && code[ws-1] == '.' {
		xs := identStart(code, ws-1)
		x := code[xs : ws-1]
		if x == "" {
			return nil, start, end
		}
		return filterPrefix(s.members(x), prefix), start, end
	}
	var cands []string
	for name := range s.globals {
		cands = append(cands, name)
	}
	for name := range s.imported {
		cands = append(cands, name)
	}
	for name := range s.known {
		cands = append(cands, name)
	}
	for name := range universe {
		cands = append(cands, name)
	}
	for i := token.BREAK; i <= token.VAR; i++ {
		if token.IsKeyword(i.String()) {
			cands = append(cands, i.String())
		}
	}
	return filterPrefix(cands, prefix), start, end
}

// members lists the names that may follow "x.".
func (s *Session) members(x string) []string {
	if !s.isGlobal(x) {
		p, ok := s.imported[x]
		if !ok && len(s.known[x]) > 0 {
			p = s.known[x][0]
			ok = true
		}
		if ok {
			var names []string
			for name := range s.exportsOf(p) {
				if !strings.HasPrefix(name, "_") {
					names = append(names, name)
				}
			}
			return names
		}
		return nil
	}
	var names []string
	if t := s.types[s.globals[x].typ]; t != nil {
		for m := range t.methods {
			names = append(names, m)
		}
	}
	v, err := s.i.Eval(x)
	if err != nil || !v.IsValid() {
		return names
	}
	return append(names, valueMembers(v)...)
}

// valueMembers lists the exported methods and fields of v (through pointers and
// interfaces). Fields of types declared in cells appear as yaegi stores them: an unexported
// field f is reflected as Xf, and is listed as f.
func valueMembers(v reflect.Value) []string {
	seen := map[string]bool{}
	add := func(n string) { seen[n] = true }
	for v.IsValid() && (v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer) && !v.IsNil() {
		t := v.Type()
		for i := 0; i < t.NumMethod(); i++ {
			add(t.Method(i).Name)
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return nil
	}
	t := v.Type()
	for i := 0; i < t.NumMethod(); i++ {
		add(t.Method(i).Name)
	}
	if pt := reflect.PointerTo(t); pt.NumMethod() > 0 {
		for i := 0; i < pt.NumMethod(); i++ {
			add(pt.Method(i).Name)
		}
	}
	if t.Kind() == reflect.Struct {
		for i := 0; i < t.NumField(); i++ {
			n := t.Field(i).Name
			if t.Name() == "" && len(n) > 1 && n[0] == 'X' {
				if r, _ := utf8.DecodeRuneInString(n[1:]); unicode.IsLower(r) {
					n = n[1:]
				}
			}
			add(n)
		}
	}
	var out []string
	for n := range seen {
		out = append(out, n)
	}
	return out
}

func filterPrefix(cands []string, prefix string) []string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(c, prefix) && !strings.HasPrefix(c, "_godl") && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

func isIdentRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// identStart returns the byte offset where the identifier ending at b starts.
func identStart(code string, b int) int {
	for b > 0 {
		r, size := utf8.DecodeLastRuneInString(code[:b])
		if !isIdentRune(r) {
			break
		}
		b -= size
	}
	return b
}

// identEnd returns the byte offset where the identifier containing b ends.
func identEnd(code string, b int) int {
	for b < len(code) {
		r, size := utf8.DecodeRuneInString(code[b:])
		if !isIdentRune(r) {
			break
		}
		b += size
	}
	return b
}

func runeToByte(code string, n int) int {
	if n <= 0 {
		return 0
	}
	i := 0
	for b := range code {
		if i == n {
			return b
		}
		i++
	}
	return len(code)
}

func byteToRune(code string, b int) int { return utf8.RuneCountInString(code[:b]) }

// IsComplete reports whether code is ready to run: "complete", "incomplete" (more lines are
// expected; indent is a suggested indentation for the next line) or "invalid" (a syntax error
// that more lines cannot fix).
func (s *Session) IsComplete(code string) (status, indent string) {
	if strings.TrimSpace(code) == "" {
		return "complete", ""
	}
	var sc scanner.Scanner
	fset := token.NewFileSet()
	file := fset.AddFile("", -1, len(code))
	unterminated := false
	sc.Init(file, []byte(code), func(pos token.Position, msg string) {
		if strings.Contains(msg, "not terminated") {
			unterminated = true
		}
	}, 0)
	depth := 0
	last := token.ILLEGAL
	for {
		_, t, lit := sc.Scan()
		if t == token.EOF {
			break
		}
		if t == token.SEMICOLON && lit == "\n" {
			continue // inserted at a line end
		}
		switch t {
		case token.LPAREN, token.LBRACK, token.LBRACE:
			depth++
		case token.RPAREN, token.RBRACK, token.RBRACE:
			depth--
		}
		last = t
	}
	if unterminated {
		return "incomplete", ""
	}
	if depth > 0 {
		return "incomplete", strings.Repeat("\t", depth)
	}
	if depth < 0 {
		return "invalid", ""
	}
	if last.IsOperator() && last != token.RPAREN && last != token.RBRACK && last != token.RBRACE &&
		last != token.INC && last != token.DEC && last != token.SEMICOLON {
		return "incomplete", ""
	}
	p := newCellPos(0, code)
	for _, u := range splitCell(code) {
		if err := u.parse(p, code); err != nil {
			return "invalid", ""
		}
	}
	return "complete", ""
}
