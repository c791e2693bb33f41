// Package install provides the godl kernelspec and puts it where Jupyter looks for
// kernels.
//
// The kernelspec is built in code: kernel.json names the running godl binary by its
// absolute path, so Jupyter finds it whatever PATH the server has, and the logos are
// embedded in the binary. WriteSpec writes the spec into any directory; Install places it
// in one of Jupyter's standard data directories:
//
//	path, err := install.Install(install.Options{Where: install.User})
//
// Installing again replaces the earlier spec completely.
package install

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

//go:generate go run logo_gen.go

//go:embed resources
var resources embed.FS

// KernelName is the name of the kernelspec, the folder it is installed in.
const KernelName = "godl"

// Spec is the content of kernel.json.
type Spec struct {
	Argv          []string          `json:"argv"`
	DisplayName   string            `json:"display_name"`
	Language      string            `json:"language"`
	InterruptMode string            `json:"interrupt_mode"`
	Env           map[string]string `json:"env,omitempty"`
	Metadata      map[string]any    `json:"metadata"`
}

// NewSpec returns the kernelspec that runs binary, which should be an absolute path:
// argv is binary, "kernel", "{connection_file}". Interrupts are sent as messages, so that
// they reach the kernel on the control channel.
func NewSpec(binary string) Spec {
	return Spec{
		Argv:          []string{binary, "kernel", "{connection_file}"},
		DisplayName:   "Go (godl)",
		Language:      "go",
		InterruptMode: "message",
		Metadata:      map[string]any{"debugger": false},
	}
}

// Executable returns the absolute path of the running binary, with symbolic links
// resolved.
func Executable() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("install: finding the godl binary: %w", err)
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	return filepath.Abs(exe)
}

// WriteSpec writes kernel.json for binary and the logos into dir, which must exist.
func WriteSpec(dir, binary string) error {
	data, err := json.MarshalIndent(NewSpec(binary), "", "  ")
	if err != nil {
		return fmt.Errorf("install: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "kernel.json"), append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	return fs.WalkDir(resources, "resources", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := resources.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, d.Name()), b, 0o644); err != nil {
			return fmt.Errorf("install: %w", err)
		}
		return nil
	})
}

// Where selects the data directory Install writes into.
type Where int

const (
	// User is the user's Jupyter data directory: $JUPYTER_DATA_DIR when set, otherwise
	// ~/.local/share/jupyter (or $XDG_DATA_HOME/jupyter) on Linux, ~/Library/Jupyter on
	// macOS, %APPDATA%\jupyter on Windows.
	User Where = iota
	// SysPrefix is share/jupyter under the Python environment's prefix: $VIRTUAL_ENV,
	// $CONDA_PREFIX, or python3's sys.prefix.
	SysPrefix
	// Prefix is share/jupyter under Options.Prefix.
	Prefix
)

// Options say where to install and what to run.
type Options struct {
	Where Where
	// Prefix is the prefix directory for Where == Prefix.
	Prefix string
	// Binary is the godl binary kernel.json runs. Empty means the running binary.
	Binary string
}

// KernelDir returns the directory the kernelspec is installed in for opts.
func KernelDir(opts Options) (string, error) {
	var data string
	switch opts.Where {
	case User:
		d, err := userDataDir()
		if err != nil {
			return "", err
		}
		data = d
	case SysPrefix:
		p, err := sysPrefix()
		if err != nil {
			return "", err
		}
		data = filepath.Join(p, "share", "jupyter")
	case Prefix:
		if opts.Prefix == "" {
			return "", errors.New("install: --prefix needs a directory")
		}
		p, err := filepath.Abs(opts.Prefix)
		if err != nil {
			return "", fmt.Errorf("install: %w", err)
		}
		data = filepath.Join(p, "share", "jupyter")
	default:
		return "", fmt.Errorf("install: unknown location %d", opts.Where)
	}
	return filepath.Join(data, "kernels", KernelName), nil
}

func userDataDir() (string, error) {
	if d := os.Getenv("JUPYTER_DATA_DIR"); d != "" {
		return filepath.Abs(d)
	}
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("APPDATA"); d != "" {
			return filepath.Join(d, "jupyter"), nil
		}
	case "darwin":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("install: %w; set JUPYTER_DATA_DIR", err)
		}
		return filepath.Join(home, "Library", "Jupyter"), nil
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "jupyter"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("install: %w; set JUPYTER_DATA_DIR", err)
	}
	return filepath.Join(home, ".local", "share", "jupyter"), nil
}

func sysPrefix() (string, error) {
	for _, v := range []string{"VIRTUAL_ENV", "CONDA_PREFIX"} {
		if p := os.Getenv(v); p != "" {
			return p, nil
		}
	}
	out, err := exec.Command("python3", "-c", "import sys; print(sys.prefix)").Output()
	if err != nil {
		return "", fmt.Errorf("install: --sys-prefix: cannot ask python3 for sys.prefix (%v); use --prefix DIR", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// Install writes the kernelspec into the directory KernelDir(opts) names, replacing any
// earlier one completely, and returns that directory.
func Install(opts Options) (string, error) {
	binary := opts.Binary
	if binary == "" {
		exe, err := Executable()
		if err != nil {
			return "", err
		}
		binary = exe
	}
	dir, err := KernelDir(opts)
	if err != nil {
		return "", err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	// Write a fresh copy beside the target, then swap it in, so that a failure leaves
	// the earlier spec in place and no stale file survives a reinstall.
	tmp, err := os.MkdirTemp(parent, "."+KernelName+"-")
	if err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	if err := WriteSpec(tmp, binary); err != nil {
		return "", err
	}
	if err := os.RemoveAll(dir); err != nil {
		return "", fmt.Errorf("install: removing the earlier kernelspec: %w", err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		return "", fmt.Errorf("install: %w", err)
	}
	return dir, nil
}
