package session

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"io"
	"os"
	"path"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/traefik/yaegi/interp"
	yaegistdlib "github.com/traefik/yaegi/stdlib"

	"godl.dev/godl/display"
	"godl.dev/godl/interrupt"
	"godl.dev/godl/stdlib"
)

// Options configure a Session. The zero value is usable: no file descriptor capture, the
// process environment, and the current directory.
type Options struct {
	// CaptureFDs redirects the process's file descriptors 1 and 2 into the running cell's
	// output, so that compiled code writing to them directly (dl, cgo) is captured. The
	// redirection is process-wide and permanent; the kernel then logs to LogWriter. Without
	// it only interpreted code's output is captured and compiled code's goes to the real
	// standard output. Tests leave it off (it would swallow the test runner's output).
	CaptureFDs bool

	// Env is the environment cells see through os.Getenv (yaegi's restricted mode: cells
	// cannot change the process environment). Nil means os.Environ().
	Env []string

	// Args is os.Args inside cells. Nil means []string{"godl"}.
	Args []string

	// WorkDir, if not empty, becomes the process's working directory when the session is
	// created (relative paths in cells resolve against it).
	WorkDir string

	// Symbols are more compiled packages cells can import, in the form yaegi's Use takes
	// ("importpath/name" → symbol → value), as stdlib.Symbols. Nil means none.
	Symbols map[string]map[string]reflect.Value

	// GoPath is handed to the interpreter for importing Go source packages from a GOPATH
	// tree. Empty means none: cells import the preloaded packages only.
	GoPath string
}

// Session is one notebook's interpreter state. Its methods are safe for concurrent use;
// Execute runs one cell at a time.
type Session struct {
	opts Options

	mu        sync.Mutex // serialises Execute and guards the state below
	i         *interp.Interpreter
	cells     int
	imported  map[string]string   // package name in cells → import path
	known     map[string][]string // package name → import paths cells may import
	globals   map[string]*global
	funcs     map[string]*funcInfo
	types     map[string]*typeInfo
	renames   map[string]string // type name → current internal name
	generics  map[string]bool   // generic functions
	funcSpans []funcSpan
	renameN   int
	seq       int

	stdout, stderr *stream
	filter         *panicFilter
	stdin          *inputReader

	out      Output // the running or most recent cell's output
	outMu    sync.Mutex
	inflight *inflight // an evaluation abandoned on interrupt, still running
	evalAt   time.Time // when the latest evaluation started
	closed   bool
}

// global is a name a cell declared at top level.
type global struct {
	kind string // "var", "const", "type", "func"
	decl string // the declaration's text, for Inspect
	doc  string
	cell string // "cell3.go:2:1"
	// typ names the cell-declared type of a variable when its declaration says it
	// (x := T{...}, x := &T{...}, var x T): reflect cannot list such a type's methods.
	typ string
}

type funcInfo struct {
	src  string // yaegi-ready source (with //line), re-evaluated when a callee is redefined
	refs map[string]bool
	seq  int // declaration order
}

type typeInfo struct {
	text     string // declaration text, to notice an unchanged redeclaration
	internal string
	// The yaegi-ready declaration is dir + "type " + internal + rest (dir is a line
	// directive, rest what follows the name), so that it can be declared again under
	// a new name.
	dir, rest string
	methods   map[string]*methodInfo // by method name
}

// methodInfo is a method declared in a cell, kept to declare it again on a fresh copy of
// its type when another method of the type is redefined.
type methodInfo struct {
	text string // declaration text, to notice an unchanged redeclaration
	src  string // yaegi-ready source, the receiver naming the type's internal name
}

// funcSpan locates a function declaration, to name yaegi's panic frames.
type funcSpan struct {
	file             string
	fromLine, toLine int
	name             string
	line, col        int
}

// knownPackages maps a package name to the import paths of that name cells may use.
var knownPackages = packageNames(yaegistdlib.Symbols, stdlib.Symbols)

// packageNames maps the package names of the given symbol tables to their import paths,
// shortest first.
func packageNames(tables ...map[string]map[string]reflect.Value) map[string][]string {
	m := map[string][]string{}
	add := func(exports map[string]map[string]reflect.Value) {
		for k := range exports {
			i := strings.LastIndex(k, "/")
			if i <= 0 || strings.Contains(k, "internal") || strings.HasPrefix(k, "github.com/traefik/yaegi") {
				continue
			}
			p, name := k[:i], k[i+1:]
			m[name] = append(m[name], p)
		}
	}
	for _, t := range tables {
		add(t)
	}
	for name, paths := range m {
		sort.Slice(paths, func(a, b int) bool {
			if len(paths[a]) != len(paths[b]) {
				return len(paths[a]) < len(paths[b])
			}
			return paths[a] < paths[b]
		})
		m[name] = paths
	}
	return m
}

// exportsOf returns the symbols of the package at import path p.
func (s *Session) exportsOf(p string) map[string]reflect.Value {
	for k, m := range s.opts.Symbols {
		if strings.HasPrefix(k, p+"/") && !strings.Contains(k[len(p)+1:], "/") {
			return m
		}
	}
	key := p + "/" + path.Base(p)
	if m, ok := stdlib.Symbols[key]; ok {
		return m
	}
	if m, ok := yaegistdlib.Symbols[key]; ok {
		return m
	}
	for k, m := range yaegistdlib.Symbols { // packages whose name differs from the last path element
		if strings.HasPrefix(k, p+"/") && !strings.Contains(k[len(p)+1:], "/") {
			return m
		}
	}
	return nil
}

// helperPath is the import path of the kernel's helpers inside cells.
const helperPath = "godl.dev/godl/kernel/session/cellhelpers"

// prelude is evaluated in every new session: the helpers that rewritten cells call, and the
// builtins yaegi v0.16.1 lacks (min and max as generic functions, clear through reflection).
// The type parameters have unusual names: yaegi resolves a type parameter named like a
// global type of the session (a cell's "type T") to that type.
const prelude = `
import _godl "` + helperPath + `"
type _godlOrdered interface {
	~int | ~int8 | ~int16 | ~int32 | ~int64 | ~uint | ~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uintptr | ~float32 | ~float64 | ~string
}
// min returns the smallest of its arguments (Go 1.21's builtin).
func min[_godlT _godlOrdered](x _godlT, y ..._godlT) _godlT {
	for _, v := range y {
		if v < x {
			x = v
		}
	}
	return x
}
// max returns the largest of its arguments (Go 1.21's builtin).
func max[_godlT _godlOrdered](x _godlT, y ..._godlT) _godlT {
	for _, v := range y {
		if v > x {
			x = v
		}
	}
	return x
}
`

// New starts a session: an interpreter with the standard library (Go 1.22 API) and the godl
// packages preloaded, and output captured as Options say.
func New(opts Options) (*Session, error) {
	if opts.WorkDir != "" {
		if err := os.Chdir(opts.WorkDir); err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
	}
	stdoutS, stderrS, err := pipes()
	if err != nil {
		return nil, err
	}
	if opts.CaptureFDs {
		if err := redirectFDs(stdoutS, stderrS); err != nil {
			return nil, err
		}
	}
	env := opts.Env
	if env == nil {
		env = os.Environ()
	}
	args := opts.Args
	if args == nil {
		args = []string{"godl"}
	}
	s := &Session{
		opts:     opts,
		imported: map[string]string{},
		globals:  map[string]*global{},
		funcs:    map[string]*funcInfo{},
		types:    map[string]*typeInfo{},
		renames:  map[string]string{},
		generics: map[string]bool{"min": true, "max": true},
		stdout:   stdoutS,
		stderr:   stderrS,
		filter:   &panicFilter{w: stderrS.w},
	}
	s.known = knownPackages
	if opts.Symbols != nil {
		s.known = packageNames(yaegistdlib.Symbols, stdlib.Symbols, opts.Symbols)
	}
	s.stdin = &inputReader{s: s}
	s.i = interp.New(interp.Options{
		GoPath: opts.GoPath,
		Stdin:  s.stdin,
		Stdout: stdoutS.w,
		Stderr: s.filter,
		Args:   args,
		Env:    env,
	})
	if err := s.i.Use(yaegistdlib.Symbols); err != nil {
		return nil, fmt.Errorf("session: loading the standard library: %w", err)
	}
	if err := s.i.Use(stdlib.Symbols); err != nil {
		return nil, fmt.Errorf("session: loading godl packages: %w", err)
	}
	if opts.Symbols != nil {
		if err := s.i.Use(opts.Symbols); err != nil {
			return nil, fmt.Errorf("session: loading Options.Symbols: %w", err)
		}
	}
	var stdinVar io.Reader = s.stdin
	helpers := interp.Exports{
		helperPath + "/_godl": {
			"GoPanic": reflect.ValueOf(s.goPanic),
			"Clear":   reflect.ValueOf(clearValue),
			// The same function values as the packages', so that MapTypes applies.
			"Render":  reflect.ValueOf(display.Render),
			"Sprint":  reflect.ValueOf(fmt.Sprint),
			"Sprintf": reflect.ValueOf(fmt.Sprintf),
		},
		// os.Stdin reads through the cell's Output, like fmt.Scan. Its type becomes
		// io.Reader: os.Stdin.Fd() does not compile in a cell.
		"os/os": {"Stdin": reflect.ValueOf(&stdinVar).Elem()},
	}
	if err := s.i.Use(helpers); err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	if _, err := s.i.Eval(prelude); err != nil {
		return nil, fmt.Errorf("session: evaluating the prelude: %w", err)
	}
	if _, err := s.i.Eval(";var clear = _godl.Clear"); err != nil {
		return nil, fmt.Errorf("session: evaluating the prelude: %w", err)
	}
	for _, name := range []string{"min", "max", "clear"} {
		s.globals[name] = &global{kind: "builtin", decl: builtinDocs[name]}
	}
	return s, nil
}

var builtinDocs = map[string]string{
	"min":   "func min[T cmp.Ordered](x T, y ...T) T",
	"max":   "func max[T cmp.Ordered](x T, y ...T) T",
	"clear": "func clear(t any) // map or slice",
}

// clearValue implements the clear builtin for maps and slices.
func clearValue(v any) {
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice:
		rv.Clear()
	default:
		panic(fmt.Sprintf("invalid argument: clear(%T): argument must be a map or slice", v))
	}
}

// Close detaches the session from output capture and waits (briefly) for an abandoned
// evaluation. The interpreter's memory is released once nothing references it; goroutines a
// cell started and never stopped keep running.
func (s *Session) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	if s.inflight != nil {
		s.inflight.wait(context.Background(), 2*time.Second)
		s.inflight = nil
	}
	s.flushStreams()
	s.stdout.release(s)
	s.stderr.release(s)
	s.outMu.Lock()
	if s.out != nil && reflect.TypeOf(s.out).Comparable() && display.CurrentSink() == display.Sink(s.out) {
		display.SetSink(nil)
	}
	s.out = nil
	s.outMu.Unlock()
	return nil
}

// errClosed is returned by Execute on a closed session.
var errClosed = errors.New("session: the session is closed; create a new one")

// Execute runs one cell. out receives streams, displays and input requests while it runs.
// The result is the value of a final expression (nil when there is none); err is a
// *CellError for syntax and compile errors, panics and interruption. ctx is cancelled on
// interrupt: an interpreted loop then stops within a fraction of a second, and compiled code
// sees interrupt.Requested. A nil out discards what the cell emits (and refuses input).
func (s *Session) Execute(ctx context.Context, code string, out Output) (res *display.Bundle, err error) {
	if out == nil {
		out = discard{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errClosed
	}
	if s.inflight != nil {
		if !s.inflight.wait(ctx, 0) {
			return nil, &CellError{Name: "Interrupted", Value: "the previous cell's compiled call is still running after its interrupt; interrupt again later or restart the kernel"}
		}
		s.inflight = nil
	}
	s.attach(out)
	interrupt.Begin()
	stop := context.AfterFunc(ctx, interrupt.Request)
	defer stop()
	defer s.flushStreams()

	s.cells++
	lastCell.Store(int64(s.cells))
	c := &cell{s: s, code: code, p: newCellPos(s.cells, code)}
	defer func() {
		// A bug of the session itself (not the cell's, which yaegi reports as errors) must
		// not take the kernel down: log it and report it as the cell's error.
		if r := recover(); r != nil {
			fmt.Fprintf(LogWriter(), "session: internal error on cell %d: %v\n%s", s.cells, r, debug.Stack())
			res, err = nil, &CellError{Name: "InternalError", Value: fmt.Sprintf("session: %v (please report this cell)", r)}
		}
	}()
	return c.run(ctx)
}

// attach makes out the destination of streams and displays.
func (s *Session) attach(out Output) {
	// What was written before this cell (by goroutines of earlier cells, or outside any
	// cell) goes to the earlier destination.
	s.flushStreams()
	s.outMu.Lock()
	s.out = out
	s.outMu.Unlock()
	s.stdout.setTarget(s, out.Stream)
	s.stderr.setTarget(s, out.Stream)
	display.SetSink(out)
}

// flushStreams waits until what the cell wrote has reached its Output.
func (s *Session) flushStreams() {
	s.stdout.flush(time.Second)
	s.stderr.flush(time.Second)
}

func (s *Session) currentOutput() Output {
	s.outMu.Lock()
	defer s.outMu.Unlock()
	return s.out
}

// goPanic reports the panic of a goroutine started by a cell (the rewritten go statement
// calls it with recover's value). The process goes on.
func (s *Session) goPanic(v any) {
	if v == nil {
		return
	}
	// The recovering function runs in the panicking goroutine: its frames are this
	// goroutine's.
	gid := goroutineID()
	frames := s.filter.take(func(f frameLine) bool { return f.gid == gid })
	var b strings.Builder
	fmt.Fprintf(&b, "panic in a goroutine started by a cell (recovered): %v\n", v)
	for _, f := range s.traceback(frames) {
		b.WriteString(f + "\n")
	}
	_, _ = s.stderr.w.WriteString(b.String())
}

// inputReader is the interpreter's standard input: each read that finds its buffer empty
// asks the running cell's Output for one line.
type inputReader struct {
	s   *Session
	mu  sync.Mutex
	buf []byte
}

func (r *inputReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		out := r.s.currentOutput()
		if out == nil {
			return 0, io.EOF
		}
		// Show what the cell printed so far (often the prompt) before asking.
		r.s.stdout.flush(time.Second)
		line, err := out.Input("", false)
		if err != nil {
			// Say why in the cell's output: cells often ignore fmt.Scan's error.
			_, _ = fmt.Fprintf(r.s.stderr.w, "standard input: %v\n", err)
			return 0, err
		}
		r.buf = append(r.buf, line...)
		r.buf = append(r.buf, '\n')
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// isGlobal reports whether name is a top-level name of the session.
func (s *Session) isGlobal(name string) bool { _, ok := s.globals[name]; return ok }

// isIntGlobal reports whether name is a session variable holding an integer.
func (s *Session) isIntGlobal(name string) bool {
	g, ok := s.globals[name]
	if !ok || (g.kind != "var" && g.kind != "const") {
		return false
	}
	v, err := s.i.Eval(name)
	if err != nil || !v.IsValid() {
		return false
	}
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return true
	}
	return false
}

// declaredNames returns the names a unit declares at the session's top level.
func declaredNames(u *unit) map[string]string {
	names := map[string]string{}
	switch u.kind {
	case declUnit:
		for _, d := range u.decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					names[d.Name.Name] = "func"
				}
			case *ast.GenDecl:
				for _, sp := range d.Specs {
					switch sp := sp.(type) {
					case *ast.TypeSpec:
						names[sp.Name.Name] = "type"
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							names[n.Name] = d.Tok.String()
						}
					}
				}
			}
		}
	case stmtUnit:
		switch st := u.stmts[0].(type) {
		case *ast.AssignStmt:
			if st.Tok == token.DEFINE {
				for _, l := range st.Lhs {
					if id, ok := l.(*ast.Ident); ok && id.Name != "_" {
						names[id.Name] = "var"
					}
				}
			}
		case *ast.DeclStmt:
			if g, ok := st.Decl.(*ast.GenDecl); ok {
				for _, sp := range g.Specs {
					switch sp := sp.(type) {
					case *ast.TypeSpec:
						names[sp.Name.Name] = "type"
					case *ast.ValueSpec:
						for _, n := range sp.Names {
							if n.Name != "_" {
								names[n.Name] = g.Tok.String()
							}
						}
					}
				}
			}
		}
	}
	return names
}

// discard is the Output of a cell run without one.
type discard struct{}

func (discard) Stream(name, text string) {}
func (discard) Display(display.Bundle)   {}
func (discard) Update(display.Bundle)    {}
func (discard) ClearOutput(bool)         {}
func (discard) Input(string, bool) (string, error) {
	return "", errors.New("session: this cell runs without an output, so it cannot read input")
}
