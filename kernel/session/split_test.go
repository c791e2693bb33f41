package session

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSplitCell(t *testing.T) {
	tests := []struct {
		desc string
		code string
		want []string // kind:text of each unit
	}{
		{"statements", "x := 1\ny := 2", []string{"statement:x := 1", "statement:y := 2"}},
		{"semicolons", "a := 1; b := 2", []string{"statement:a := 1", "statement:b := 2"}},
		{"declarations merge", "func f() {}\ntype T int\nconst c = 1", []string{"declaration:func f() {}\ntype T int\nconst c = 1"}},
		{"import then code", "import \"fmt\"\nfmt.Println()", []string{"import:import \"fmt\"", "statement:fmt.Println()"}},
		{"method is a declaration", "func (t T) M() {}", []string{"declaration:func (t T) M() {}"}},
		{"func literal call is a statement", "func() { x++ }()", []string{"statement:func() { x++ }()"}},
		{"func literal with a result", "func() int { return 1 }()", []string{"statement:func() int { return 1 }()"}},
		{"for header keeps its semicolons", "for i := 0; i < 3; i++ {\n}", []string{"statement:for i := 0; i < 3; i++ {\n}"}},
		{"labeled for", "L:\nfor i := 0; i < 3; i++ {\n}", []string{"statement:L:\nfor i := 0; i < 3; i++ {\n}"}},
		{"if with init", "if v := f(); v {\n}", []string{"statement:if v := f(); v {\n}"}},
		{"var is a statement", "var a = b", []string{"statement:var a = b"}},
		{"doc comment belongs to the declaration", "// F does.\nfunc F() {}", []string{"declaration:// F does.\nfunc F() {}"}},
		{"trailing comment dropped", "x := 1\n// done", []string{"statement:x := 1"}},
		{"package clause dropped", "package main\nfunc main() {}", []string{"declaration:func main() {}"}},
		{"multi-line call", "f(\n\t1,\n\t2,\n)", []string{"statement:f(\n\t1,\n\t2,\n)"}},
	}
	for _, tc := range tests {
		var got []string
		for _, u := range splitCell(tc.code) {
			got = append(got, u.kind.String()+":"+strings.TrimSpace(tc.code[u.start:u.end]))
		}
		if strings.Join(got, "|") != strings.Join(tc.want, "|") {
			t.Errorf("%s: units %q, want %q", tc.desc, got, tc.want)
		}
	}
}

// FuzzSplitCell checks that any text splits into ordered, non-overlapping units that parse
// or fail without panicking, and that IsComplete answers.
func FuzzSplitCell(f *testing.F) {
	files, _ := filepath.Glob("testdata/errors/*.cells")
	for _, name := range files {
		raw, _ := os.ReadFile(name)
		for _, c := range strings.Split(string(raw), "\n//---\n") {
			f.Add(c)
		}
	}
	f.Add("for i := range 3 { go f(i) }\nv, ok := m[k]")
	f.Add("func (\n")
	f.Add("`unterminated")
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, code string) {
		prev := 0
		p := newCellPos(1, code)
		for _, u := range splitCell(code) {
			if u.start < prev || u.end < u.start || u.end > len(code) || u.first < u.start || u.first > u.end {
				t.Fatalf("unit [%d,%d) first %d after %d in %q", u.start, u.end, u.first, prev, code)
			}
			prev = u.end
			_ = u.parse(p, code)
		}
		if st, _ := s.IsComplete(code); st != "complete" && st != "incomplete" && st != "invalid" {
			t.Fatalf("IsComplete(%q) = %q", code, st)
		}
	})
}

// TestManyCells runs cells numbered beyond what a line number can hold unencoded: errors
// still name the right cell and line.
func TestManyCells(t *testing.T) {
	s := newSession(t)
	for _, n := range []int{1500, 123456} {
		s.cells = n - 1
		_, err, _ := run(t, s, "a := 1\nb := undefinedName")
		want := fmt.Sprintf("CompileError: cell%d.go:2:6: undefined: undefinedName", n)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("cell %d: %v, want %s", n, err, want)
		}
	}
	if got := unwrapCell(23456); got != 123456 {
		t.Errorf("unwrapCell(23456) = %d after cell 123456, want 123456", got)
	}
}
