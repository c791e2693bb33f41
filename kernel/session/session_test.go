package session

import (
	"strings"
	"testing"

	"godl.dev/godl/display"
)

// cellCase is one cell of a notebook: its source, the text/plain of its result ("" for no
// result), what it prints, and the error it gives ("" for none), matched as
// "Name: Value" by prefix.
type cellCase struct {
	desc   string
	src    string
	res    string
	stdout string
	err    string
}

// runCells runs the cases in order against one session, as a notebook would.
func runCells(t *testing.T, s *Session, cases []cellCase) {
	t.Helper()
	for _, tc := range cases {
		b, err, rec := run(t, s, tc.src)
		got := ""
		if b != nil {
			got = text(b)
		}
		if got != tc.res {
			t.Errorf("%s: result %q, want %q (err %v)", tc.desc, got, tc.res, err)
		}
		if out := rec.stdout(); out != tc.stdout {
			t.Errorf("%s: stdout %q, want %q", tc.desc, out, tc.stdout)
		}
		gotErr := ""
		if err != nil {
			ce, ok := err.(*CellError)
			if !ok {
				t.Errorf("%s: error %T %v, want a *CellError", tc.desc, err, err)
				continue
			}
			gotErr = ce.Name + ": " + ce.Value
		}
		if (tc.err == "") != (gotErr == "") || !strings.HasPrefix(gotErr, tc.err) {
			t.Errorf("%s: error %q, want %q", tc.desc, gotErr, tc.err)
		}
	}
}

func TestCells(t *testing.T) {
	s := newSession(t)
	runCells(t, s, []cellCase{
		{desc: "expression", src: "6 * 7", res: "42"},
		{desc: "definition then value", src: "x := 6 * 7\nx", res: "42"},
		{desc: "redefinition with :=", src: "x := 1\nx := 2\nx", res: "2"},
		{desc: "Println yields no result", src: `fmt.Println("hi")`, stdout: "hi\n"},
		{desc: "Printf in the middle", src: "fmt.Printf(\"%d\\n\", x)\nx + 1", res: "3", stdout: "2\n"},
		{desc: "assignment yields no result", src: "y := 5"},
		{desc: "void call yields no result", src: "func void() {}\nvoid()"},
		{desc: "string result is quoted", src: `strings.ToUpper("abc")`, res: `"ABC"`},
		{desc: "value and nil error show the value", src: `strconv.Atoi("12")`, res: "12"},
		{desc: "a non-nil error is the cell's error", src: `strconv.Atoi("x")`, err: `error: cell10.go:1:1: strconv.Atoi: parsing "x": invalid syntax`},
		{desc: "two results without an error yield none", src: "func two() (int, int) { return 1, 2 }\ntwo()"},
		{desc: "a writer's count is not shown", src: "var sb strings.Builder\nsb.WriteString(\"x\")"},
		{desc: "mixed declarations and statements", src: "import \"math\"\nconst k = 2\nfunc sq(v float64) float64 { return v * v }\nr := sq(k)\ntype pt struct{ X, Y float64 }\np := pt{r, math.Sqrt(r)}\np.X", res: "4"},
		{desc: "declarations refer to each other", src: "func even(n int) bool { if n == 0 { return true }; return odd(n - 1) }\nfunc odd(n int) bool { if n == 0 { return false }; return even(n - 1) }\neven(10)", res: "true"},
		{desc: "global from an earlier cell in var", src: "var a1 = 1", res: ""},
		{desc: "var reads an earlier global", src: "var b1 = a1 + 1\nb1", res: "2"},
		{desc: "top-level comma-ok type assertion", src: "var iv any = 3\nv, ok := iv.(int)\nv + 10", res: "13"},
		{desc: "comma-ok value kept", src: "ok", res: "true"},
		{desc: "top-level comma-ok map index", src: "m := map[string]int{\"a\": 1}\nw, found := m[\"b\"]\nfmt.Println(w, found)", stdout: "0 false\n"},
		{desc: "range over int", src: "sum := 0\nfor i := range 5 { sum += i }\nsum", res: "10"},
		{desc: "range over int in a function", src: "func tri(n int) (t int) { for i := range n + 1 { t += i }; return }\ntri(4)", res: "10"},
		{desc: "min and max", src: "min(3, 1, 2) + max(4, 9)", res: "10"},
		{desc: "min into a variable", src: "lo := min(7, 5)\nlo * 2", res: "10"},
		{desc: "max of float constants", src: "max(2.5, 1)", res: "2.5"},
		{desc: "max with a float variable second", src: "fv := 2.5\nmax(1, fv)", res: "2.5"},
		{desc: "min of strings", src: "min(\"b\", \"a\")", res: `"a"`},
		{desc: "clear", src: "sl := []int{1, 2}\nclear(sl)\nsl", res: "[0 0]"},
		{desc: "auto-import of display", src: `display.HTML("<b>x</b>")`, res: "<HTML>"},
		{desc: "compile error names the cell", src: "zz := 1\nq := undefinedVar", err: "CompileError: cell29.go:2:6: undefined: undefinedVar"},
		{desc: "syntax error names the cell", src: "x := 1\nfunc (", err: "SyntaxError: cell30.go:3:1: expected"},
		{desc: "os.Exit is an error", src: "os.Exit(3)", err: "Exit: cell31.go:1:1: os.Exit(3)"},
		{desc: "session survives", src: "x", res: "2"},
		{desc: "top-level defer runs at the end of the cell", src: "defer fmt.Println(\"deferred 1\")\ndefer fmt.Println(\"deferred 2\")\nfmt.Println(\"body\")", stdout: "body\ndeferred 2\ndeferred 1\n"},
		{desc: "and not again later", src: "fmt.Println(\"next\")", stdout: "next\n"},
		{desc: "a pasted Go program runs", src: "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"from main\")\n}", stdout: "from main\n"},
		{desc: "main does not run again", src: "func other() {}\nconst c = 1"},
		{desc: "main called explicitly", src: "main()", stdout: "from main\n"},
	})
}

func TestRedefinition(t *testing.T) {
	s := newSession(t)
	runCells(t, s, []cellCase{
		{desc: "f and a caller", src: "func f() int { return 1 }\nfunc g() int { return f() }\ng()", res: "1"},
		{desc: "redefine f", src: "func f() int { return 2 }"},
		{desc: "earlier caller calls the new f", src: "g()", res: "2"},
		{desc: "caller of caller", src: "func h() int { return g() * 10 }\nfunc f() int { return 3 }\nh()", res: "30"},
		{desc: "type", src: "type T struct{ A int }\nT{1}", res: "{1}"},
		{desc: "redefined type has the new field", src: "type T struct{ A, B int }\nT{A: 1, B: 2}", res: "{1 2}"},
		{desc: "later cells see the new type", src: "func mk() T { return T{B: 5} }\nmk().B", res: "5"},
		{desc: "methods follow the redefined type", src: "type T struct{ C string }\nfunc (t T) Hello() string { return \"hi \" + t.C }\nT{\"x\"}.Hello()", res: `"hi x"`},
		{desc: "unchanged redeclaration keeps the type", src: "type T struct{ C string }\nT{\"y\"}.Hello()", res: `"hi y"`},
		{desc: "errors name the type as written", src: "var t T = 3", err: "CompileError: cell10.go:1:"},
		{desc: "min with a session type named T", src: "min(4, 2)", res: "2"},
		{desc: "type with methods", src: "type Dog struct{ N string }\nfunc (d Dog) Speak() string { return d.N + \" woofs\" }\nfunc (d *Dog) Name() string { return d.N }\nDog{\"rex\"}.Speak()", res: `"rex woofs"`},
		{desc: "one method redefined alone", src: "func (d Dog) Speak() string { return d.N + \" barks\" }\nd := &Dog{\"rex\"}\nd.Speak() + \" \" + d.Name()", res: `"rex barks rex"`},
		{desc: "and again", src: "func (d Dog) Speak() string { return \"quiet \" + d.Name() }\n(&Dog{\"max\"}).Speak()", res: `"quiet max"`},
	})
	_, err, _ := run(t, s, "var t T = 3")
	if err == nil || strings.Contains(err.Error(), "_godl") {
		t.Errorf("error mentions an internal name: %v", err)
	}
}

func TestRichResult(t *testing.T) {
	s := newSession(t)
	b, err, _ := run(t, s, "type Card struct{ T string }\nfunc (c Card) HTML() string { return \"<h1>\" + c.T + \"</h1>\" }\nfunc (c Card) String() string { return \"card \" + c.T }\nCard{\"hi\"}")
	if err != nil {
		t.Fatal(err)
	}
	if b.Data[display.MIMEHTML] != "<h1>hi</h1>" || b.Data[display.MIMEText] != "card hi" {
		t.Errorf("result %v, want HTML <h1>hi</h1> and text \"card hi\"", b.Data)
	}
	// display.Show from a cell reaches the Output with the cell type's HTML.
	_, err, rec := run(t, s, "display.Show(Card{\"x\"})")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.displays) != 1 || rec.displays[0].Data[display.MIMEHTML] != "<h1>x</h1>" {
		t.Errorf("displays %v", rec.displays)
	}
	// A handle updates in place, with the cell type's HTML.
	_, err, rec = run(t, s, "h := display.NewHandle()\nh.Show(display.Text(\"1\"))\nh.Update(Card{\"2\"})")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.displays) != 1 || len(rec.updates) != 1 || rec.updates[0].ID != rec.displays[0].ID {
		t.Fatalf("handle: displays %v updates %v", rec.displays, rec.updates)
	}
	if rec.updates[0].Data[display.MIMEHTML] != "<h1>2</h1>" {
		t.Errorf("handle update lost the cell type's HTML: %v", rec.updates[0].Data)
	}
}

func TestPanics(t *testing.T) {
	s := newSession(t)
	_, err, _ := run(t, s, "func h() {\n\tvar s []int\n\t_ = s[3]\n}")
	if err != nil {
		t.Fatal(err)
	}
	_, err, _ = run(t, s, "x := 1\nh()")
	ce, ok := err.(*CellError)
	if !ok {
		t.Fatalf("err %v, want a *CellError", err)
	}
	if ce.Name != "panic" || !strings.HasPrefix(ce.Value, "cell2.go:2:1: ") {
		t.Errorf("panic error %q: %q", ce.Name, ce.Value)
	}
	tb := strings.Join(ce.Traceback, "\n")
	if !strings.Contains(tb, "cell1.go:1:6: in h") || !strings.Contains(tb, "cell2.go:2:1: h()") {
		t.Errorf("traceback does not name the user's frames:\n%s", tb)
	}
	if strings.Contains(tb, "yaegi") || strings.Contains(tb, "reflect.Value") {
		t.Errorf("traceback shows interpreter frames:\n%s", tb)
	}
	// The panic left the session usable.
	if b, err, _ := run(t, s, "x + 1"); err != nil || text(b) != "2" {
		t.Errorf("after a panic: %s %v", text(b), err)
	}
	// A user recover works.
	b, err, _ := run(t, s, "func safe() (r any) { defer func() { r = recover() }(); panic(\"boom\") }\nsafe()")
	if err != nil || text(b) != "boom" {
		t.Errorf("recover: %s %v", text(b), err)
	}
}

func TestGoroutinePanic(t *testing.T) {
	skipUnderRace(t)
	s := newSession(t)
	_, err, rec := run(t, s, "func work(i int) { if i == 1 { panic(\"worker failed\") } }\ndone := make(chan bool)\ngo func() { defer close(done); work(1) }()\n<-done\ntime.Sleep(20 * time.Millisecond)")
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.stderr(); !strings.Contains(got, "panic in a goroutine started by a cell (recovered): worker failed") || !strings.Contains(got, "in work") {
		t.Errorf("stderr %q", got)
	}
	// go with arguments evaluates them when the go statement runs.
	b, err, _ := run(t, s, "ch := make(chan int, 3)\nfor i := 0; i < 3; i++ { go func(n int) { ch <- n }(i) }\n<-ch + <-ch + <-ch")
	if err != nil || text(b) != "3" {
		t.Errorf("go with arguments: %s %v", text(b), err)
	}
}

func TestStdin(t *testing.T) {
	s := newSession(t)
	rec := newRecorder()
	rec.inputs = []string{"Ada", "42"}
	b, err := s.Execute(t.Context(), "var name string\nvar n int\nfmt.Print(\"name? \")\nfmt.Scan(&name)\nsc := bufio.NewScanner(os.Stdin)\nsc.Scan()\nfmt.Sscan(sc.Text(), &n)\nname + strconv.Itoa(n)", rec)
	if err != nil {
		t.Fatal(err)
	}
	if text(b) != `"Ada42"` || rec.prompts != 2 {
		t.Errorf("result %s after %d prompts", text(b), rec.prompts)
	}
	if rec.stdout() != "name? " {
		t.Errorf("stdout %q", rec.stdout())
	}
}

func TestCompleteInspectIsComplete(t *testing.T) {
	s := newSession(t)
	if _, err, _ := run(t, s, "// Double doubles x.\nfunc Double(x int) int { return 2 * x }\ntype P struct{ Name string }\nfunc (p *P) Greet() string { return \"hi \" + p.Name }\np := &P{\"a\"}\nπ := 3.14\nh := display.NewHandle()"); err != nil {
		t.Fatal(err)
	}
	completions := []struct {
		code   string
		cursor int
		want   string // one expected match
		start  int
	}{
		{"strings.ToU", 11, "ToUpper", 8},
		{"x := math.Sq", 12, "Sqrt", 10},
		{"Dou", 3, "Double", 0},
		{"p.Na", 4, "Name", 2},
		{"p.Gr", 4, "Greet", 2}, // a method of a type declared in a cell
		{"fm", 2, "fmt", 0},
		{"π + strings.Rep", 15, "Repeat", 12}, // rune offsets
	}
	for _, c := range completions {
		m, start, end := s.Complete(c.code, c.cursor)
		if !contains(m, c.want) || start != c.start || end != c.cursor {
			t.Errorf("Complete(%q, %d) = %v [%d,%d), want %s at [%d,%d)", c.code, c.cursor, m, start, end, c.want, c.start, c.cursor)
		}
	}
	inspects := []struct {
		code   string
		cursor int
		want   []string
	}{
		{"strings.ToUpper(", 10, []string{"func ToUpper(s string) string", "ToUpper returns s with all Unicode letters mapped to their upper case."}},
		{"Double(3)", 2, []string{"func Double(x int) int", "Double doubles x.", "cell1.go:2:1"}},
		{"display.HTML", 10, []string{"func HTML(s string) Bundle"}},
		{"h.Show(", 3, []string{"func (h *Handle) Show(v any)", "the first call adds a new output"}},
		{"len(x)", 1, []string{"func len(v Type) int", "The len built-in function returns the length of v"}},
	}
	for _, c := range inspects {
		d, ok := s.Inspect(c.code, c.cursor, 0)
		got, _ := d.Data[display.MIMEText].(string)
		for _, w := range c.want {
			if !ok || !strings.Contains(got, w) {
				t.Errorf("Inspect(%q) = %q, want it to contain %q", c.code, got, w)
			}
		}
	}
	if d, _ := s.Inspect("Double", 2, 1); !strings.Contains(d.Data[display.MIMEText].(string), "return 2 * x") {
		t.Errorf("Inspect detail 1 lacks the source: %q", d.Data[display.MIMEText])
	}
	if d, _ := s.Inspect("p", 1, 0); !strings.Contains(d.Data[display.MIMEText].(string), "type: *P (declared in a cell)") {
		t.Errorf("Inspect of a variable of a cell type: %q", d.Data[display.MIMEText])
	}
	if _, ok := s.Inspect("nosuchthing", 3, 0); ok {
		t.Error("Inspect found an unknown name")
	}
	for _, c := range []struct{ code, status string }{
		{"for {", "incomplete"}, {"x := ", "incomplete"}, {"fmt.Println(1)", "complete"},
		{"`raw", "incomplete"}, {"}", "invalid"}, {"x := 1 +", "incomplete"}, {"func f() {\n}\nf()", "complete"},
		{"x := )", "invalid"},
	} {
		if st, _ := s.IsComplete(c.code); st != c.status {
			t.Errorf("IsComplete(%q) = %s, want %s", c.code, st, c.status)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestInspectWithoutSource falls back to the reflected signature for a package whose Go
// source cannot be found.
func TestInspectWithoutSource(t *testing.T) {
	s, err := New(Options{Symbols: compiledSymbols})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err, _ := run(t, s, `import "godl.dev/test/compiled"`); err != nil {
		t.Fatal(err)
	}
	d, ok := s.Inspect("compiled.Print", 12, 0)
	if got := d.Data[display.MIMEText]; !ok || !strings.HasPrefix(got.(string), "func compiled.Print(string)") {
		t.Errorf("Inspect = %v, %v", got, ok)
	}
	m, _, _ := s.Complete("compiled.Wr", 11)
	if len(m) != 1 || m[0] != "WriteFD1" {
		t.Errorf("Complete = %v", m)
	}
}

func TestNilOutput(t *testing.T) {
	s := newSession(t)
	b, err := s.Execute(t.Context(), "fmt.Println(\"dropped\")\n2 * 21", nil)
	if err != nil || text(b) != "42" {
		t.Errorf("Execute with a nil Output: %s %v", text(b), err)
	}
}
