package session

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"
)

// compiledSymbols is a compiled package for the capture test: its functions write to the
// process's standard output and error the way dl or a cgo library does, bypassing the
// interpreter's streams.
var compiledSymbols = map[string]map[string]reflect.Value{
	"godl.dev/test/compiled/compiled": {
		"Print":    reflect.ValueOf(func(s string) { fmt.Print(s) }),
		"PrintErr": reflect.ValueOf(func(s string) { fmt.Fprint(os.Stderr, s) }),
		"WriteFD1": reflect.ValueOf(func(s string) { syscall.Write(1, []byte(s)) }),
	},
}

type captureReport struct {
	Order  [][]string // per cell: "stream:text" in arrival order
	Stdout []string   // per cell
	Stderr []string
	Errors []string
}

// TestCaptureFDs runs the capture scenario in a child process, since redirecting file
// descriptors 1 and 2 inside this test process would swallow the test runner's output.
func TestCaptureFDs(t *testing.T) {
	if os.Getenv("GODL_CAPTURE_CHILD") != "" {
		return // the child runs TestCaptureChild
	}
	out := t.TempDir() + "/report.json"
	cmd := exec.Command(os.Args[0], "-test.run=^TestCaptureChild$", "-test.v")
	cmd.Env = append(os.Environ(), "GODL_CAPTURE_CHILD=1", "GODL_CAPTURE_OUT="+out)
	logs, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, logs)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("child wrote no report: %v\n%s", err, logs)
	}
	var r captureReport
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	for i, e := range r.Errors {
		if e != "" {
			t.Errorf("cell %d: %s", i+1, e)
		}
	}
	want := []struct{ stdout, stderr string }{
		{"interpreted 1\ncompiled 2\nfd 3\nos.Stdout 4\n", "compiled err\nlog line\n"},
		{"", ""},
		{"late\n", ""},
	}
	for i, w := range want {
		if r.Stdout[i] != w.stdout {
			t.Errorf("cell %d stdout %q, want %q", i+1, r.Stdout[i], w.stdout)
		}
		if strings.TrimSpace(r.Stderr[i]) != strings.TrimSpace(w.stderr) {
			t.Errorf("cell %d stderr %q, want %q", i+1, r.Stderr[i], w.stderr)
		}
	}
	// Text printed outside any cell still reaches the child's real stdout.
	if !strings.Contains(string(logs), "outside a cell") {
		t.Errorf("child output lost text printed outside cells:\n%s", logs)
	}
}

func TestCaptureChild(t *testing.T) {
	path := os.Getenv("GODL_CAPTURE_OUT")
	if path == "" {
		t.Skip("run by TestCaptureFDs")
	}
	s, err := New(Options{CaptureFDs: true, Symbols: compiledSymbols})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("outside a cell")
	cells := []string{
		"import \"godl.dev/test/compiled\"\n" +
			"fmt.Println(\"interpreted 1\")\ncompiled.Print(\"compiled 2\\n\")\ncompiled.WriteFD1(\"fd 3\\n\")\n" +
			"os.Stdout.WriteString(\"os.Stdout 4\\n\")\ncompiled.PrintErr(\"compiled err\\n\")\nlog.SetFlags(0)\nlog.Println(\"log line\")",
		"go func() { time.Sleep(100 * time.Millisecond); fmt.Println(\"late\") }()",
		"time.Sleep(300 * time.Millisecond)",
	}
	var r captureReport
	for _, c := range cells {
		rec := newRecorder()
		_, err := s.Execute(t.Context(), c, rec)
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		r.Errors = append(r.Errors, msg)
		r.Stdout = append(r.Stdout, rec.stdout())
		r.Stderr = append(r.Stderr, rec.stderr())
		r.Order = append(r.Order, rec.order)
	}
	s.Close()
	fmt.Println("outside a cell")
	stdoutPipe.flush(time.Second)
	raw, _ := json.Marshal(r)
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
}
