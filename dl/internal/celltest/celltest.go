package celltest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/traefik/yaegi/interp"
	yaegistdlib "github.com/traefik/yaegi/stdlib"

	"godl.dev/godl/stdlib"
)

// newInterp returns an interpreter with the standard library's and godl's symbols, as the
// kernel's, writing the cells' standard output to out.
func newInterp(t testing.TB, out *bytes.Buffer) *interp.Interpreter {
	t.Helper()
	i := interp.New(interp.Options{Stdout: out})
	if err := i.Use(yaegistdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	return i
}

// evalCells evaluates cells in order, failing the test at the first error or panic with the
// cell and the output so far.
func evalCells(t testing.TB, i *interp.Interpreter, out *bytes.Buffer, cells []string) {
	t.Helper()
	for _, c := range cells {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("the interpreter panicked: %v\n%s\noutput so far:\n%s", r, c, out.String())
				}
			}()
			if _, err := i.Eval(c); err != nil {
				t.Fatalf("cell failed: %v\n%s\noutput so far:\n%s", err, c, out.String())
			}
		}()
	}
}

// Run evaluates cells in order in a new interpreter (see newInterp and evalCells) and
// returns what they printed.
func Run(t testing.TB, cells ...string) string {
	t.Helper()
	var out bytes.Buffer
	evalCells(t, newInterp(t, &out), &out, cells)
	return out.String()
}

// WantLines fails the test for each of wants that the output lacks.
func WantLines(t testing.TB, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("cell output lacks %q:\n%s", w, got)
		}
	}
}
