package session

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var marker = regexp.MustCompile(`/\* (ERROR|PANIC) "([^"]*)" \*/\s*`)

// TestErrorPositions runs the cells of testdata/errors/*.cells and checks that each error
// names the cell, line and column of the token after its marker comment.
func TestErrorPositions(t *testing.T) {
	files, _ := filepath.Glob("testdata/errors/*.cells")
	if len(files) == 0 {
		t.Fatal("no testdata/errors/*.cells")
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := newSession(t)
		for i, code := range strings.Split(string(raw), "\n//---\n") {
			m := marker.FindStringSubmatchIndex(code)
			_, err, _ := run(t, s, code)
			if m == nil {
				if err != nil {
					t.Errorf("%s cell %d: unexpected error %v", f, i+1, err)
				}
				continue
			}
			kind, want := code[m[2]:m[3]], code[m[4]:m[5]]
			line, col := newCellPos(i+1, code).at(m[1])
			pos := fmt.Sprintf("cell%d.go:%d:%d: ", i+1, line, col)
			ce, ok := err.(*CellError)
			if !ok {
				t.Errorf("%s cell %d: error %v, want %s %q at %s", f, i+1, err, kind, want, pos)
				continue
			}
			if !strings.HasPrefix(ce.Value, pos) || !strings.Contains(ce.Value, want) {
				t.Errorf("%s cell %d: %s: %q, want %q at %s", f, i+1, ce.Name, ce.Value, want, pos)
			}
			if (kind == "PANIC") != (ce.Name == "panic") {
				t.Errorf("%s cell %d: error kind %s, want %s", f, i+1, ce.Name, kind)
			}
		}
	}
}
