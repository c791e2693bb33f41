package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args       []string
		positional string
		out        string
		allow      bool
	}{
		{[]string{"nb.ipynb"}, "nb.ipynb", "", false},
		{[]string{"nb.ipynb", "-o", "out.ipynb", "--allow-errors"}, "nb.ipynb", "out.ipynb", true},
		{[]string{"-o", "out.ipynb", "nb.ipynb"}, "nb.ipynb", "out.ipynb", false},
		{[]string{"--allow-errors", "--", "-odd.ipynb"}, "-odd.ipynb", "", true},
	}
	for _, tt := range tests {
		fs := flag.NewFlagSet("run", flag.ContinueOnError)
		out := fs.String("o", "", "")
		allow := fs.Bool("allow-errors", false, "")
		pos, err := parseInterspersed(fs, tt.args)
		if err != nil {
			t.Fatalf("%q: %v", tt.args, err)
		}
		if strings.Join(pos, " ") != tt.positional || *out != tt.out || *allow != tt.allow {
			t.Errorf("%q: positional %q, -o %q, --allow-errors %v", tt.args, pos, *out, *allow)
		}
	}
}

func TestInstallCommand(t *testing.T) {
	prefix := t.TempDir()
	if err := runInstall([]string{"--prefix", prefix}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(prefix, "share", "jupyter", "kernels", "godl", "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct{ Argv []string }
	if err := json.Unmarshal(data, &spec); err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	exe, _ = filepath.EvalSymlinks(exe)
	if len(spec.Argv) != 3 || spec.Argv[0] != exe || !filepath.IsAbs(spec.Argv[0]) || spec.Argv[1] != "kernel" {
		t.Errorf("argv = %q, want the absolute path of %s", spec.Argv, exe)
	}

	if err := runInstall([]string{"--user", "--prefix", prefix}); err == nil {
		t.Error("two locations were accepted")
	}
	if err := runInstall([]string{"extra"}); err == nil {
		t.Error("a stray argument was accepted")
	}
}
