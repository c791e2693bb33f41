package session

import "testing"

// TestGoPatterns runs everyday Go at the top level of cells, the forms yaegi alone gets
// wrong in its global scope included.
func TestGoPatterns(t *testing.T) {
	skipUnderRace(t)
	s := newSession(t)
	runCells(t, s, []cellCase{
		{desc: "comma-ok in an if header", src: "m := map[string]int{\"a\": 1}\nif v, ok := m[\"a\"]; ok { fmt.Println(\"found\", v) }", stdout: "found 1\n"},
		{desc: "type switch", src: "var iv any = 2.5\nswitch x := iv.(type) {\ncase float64:\n\tfmt.Println(\"float\", x)\n}", stdout: "float 2.5\n"},
		{desc: "range over a map", src: "for k, v := range m { fmt.Println(k, v) }", stdout: "a 1\n"},
		{desc: "goroutines and a WaitGroup", src: "var wg sync.WaitGroup\ntotal := 0\nvar mu sync.Mutex\nfor i := 0; i < 4; i++ {\n\twg.Add(1)\n\tgo func(n int) { defer wg.Done(); mu.Lock(); total += n; mu.Unlock() }(i)\n}\nwg.Wait()\ntotal", res: "6"},
		{desc: "select", src: "select {\ncase <-time.After(10 * time.Millisecond):\n\tfmt.Println(\"timeout\")\n}", stdout: "timeout\n"},
		{desc: "labeled loops", src: "outer:\nfor i := 0; i < 3; i++ {\n\tfor j := 0; j < 3; j++ {\n\t\tif j == 1 { continue outer }\n\t\tif i == 2 { break outer }\n\t\tfmt.Print(i, j, \" \")\n\t}\n}", stdout: "0 0 1 0 "},
		{desc: "a loop assigns a global", src: "count := 0\nfor i := 0; i < 5; i++ { count += i }\ncount", res: "10"},
		{desc: "embedding", src: "type Base struct{ ID int }\nfunc (b Base) Describe() string { return fmt.Sprint(\"id \", b.ID) }\ntype Item struct {\n\tBase\n\tName string\n}\nItem{Base{7}, \"x\"}.Describe()", res: `"id 7"`},
		{desc: "a generic function", src: "func Map[A, B any](xs []A, f func(A) B) []B { var out []B; for _, x := range xs { out = append(out, f(x)) }; return out }\nMap([]int{1, 2}, func(i int) int { return i * 2 })", res: "[2 4]"},
		{desc: "a closure", src: "add := func(a, b int) int { return a + b }\nadd(2, 3)", res: "5"},
		{desc: "sort", src: "xs := []int{3, 1, 2}\nsort.Ints(xs)\nxs", res: "[1 2 3]"},
		{desc: "slices", src: "slices.Contains([]int{1, 2}, 2)", res: "true"},
		{desc: "an error value", src: "var e error = fmt.Errorf(\"bad %d\", 3)\ne", res: "bad 3"},
		{desc: "a duration", src: "time.Duration(1500) * time.Millisecond", res: "1.5s"},
		{desc: "top-level comma-ok receive", src: "ch := make(chan int, 1)\nch <- 7\nclose(ch)\nv1, ok1 := <-ch\nv2, ok2 := <-ch\nfmt.Println(v1, ok1, v2, ok2)", stdout: "7 true 0 false\n"},
		{desc: "a large constant", src: "const big = 1 << 40\nbig", res: "1099511627776"},
		{desc: "a void call through an index", src: "fs := []func(){func() { fmt.Println(\"ran\") }}\nfs[0]()", stdout: "ran\n"},
		{desc: "a value call through an index", src: "gs := []func() int{func() int { return 4 }}\ngs[0]()", res: "4"},
		{desc: "a void method of a call's result runs once", src: "type K struct{ n int }\nfunc (K) Do() { fmt.Println(\"do\") }\nfunc (k K) Get() int { return k.n }\nfunc mk() K { fmt.Println(\"mk\"); return K{5} }\nmk().Do()", stdout: "mk\ndo\n"},
		{desc: "a method of a call's result", src: "mk().Get()", res: "5", stdout: "mk\n"},
		{desc: "two results through an index", src: "func two() (int, int) { return 1, 2 }\nhs := []func() (int, int){two}\nhs[0]()"},
		{desc: "variadic through an index", src: "func vs(xs ...int) int { return len(xs) }\nws := []func(...int) int{vs}\nws[0](1, 2, 3)", res: "3"},
	})
}

func TestAutoImport(t *testing.T) {
	s := newSession(t)
	runCells(t, s, []cellCase{
		{desc: "math/rand for rand", src: "rand.Intn(1)", res: "0"},
		{desc: "explicit import under another name", src: "import crand \"crypto/rand\"\nbuf := make([]byte, 4)\n_, err := crand.Read(buf)\nerr == nil", res: "true"},
		{desc: "a variable named like a package", src: "strings := []string{\"a\"}\nlen(strings)", res: "1"},
		{desc: "a local named like a package", src: "func count(bytes []byte) int { return len(bytes) }\ncount([]byte(\"abc\"))", res: "3"},
		{desc: "an unknown package", src: "nosuchpkg.Do()", err: "CompileError: cell5.go:1:1: undefined: nosuchpkg"},
		{desc: "an import already made is not repeated", src: "import \"math/rand\"\nrand.Intn(1)", res: "0"},
		{desc: "a dot import", src: "import . \"strings\"\nToUpper(\"dot\")", res: `"DOT"`},
		{desc: "a second package under a taken name", src: "import \"crypto/rand\"", err: "CompileError: cell8.go:1:8: rand is already imported as \"math/rand\": import \"crypto/rand\" under another name"},
		{desc: "a package that is not preloaded", src: "x := 1\nimport \"gonum.org/v1/gonum/mat\"", err: "CompileError: cell9.go:2:8: cannot import \"gonum.org/v1/gonum/mat\""},
	})
}
