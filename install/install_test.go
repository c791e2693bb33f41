package install

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func readSpec(t *testing.T, dir string) Spec {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "kernel.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestInstallUserHonoursJupyterDataDir(t *testing.T) {
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	dir, err := Install(Options{Where: User, Binary: "/opt/godl/bin/godl"})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(data, "kernels", "godl"); dir != want {
		t.Errorf("installed in %s, want %s", dir, want)
	}
	s := readSpec(t, dir)
	if strings.Join(s.Argv, " ") != "/opt/godl/bin/godl kernel {connection_file}" ||
		s.DisplayName != "Go (godl)" || s.Language != "go" || s.InterruptMode != "message" ||
		s.Metadata["debugger"] != false {
		t.Errorf("kernel.json = %+v", s)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if strings.Join(names, " ") != "kernel.json logo-32x32.png logo-64x64.png logo-svg.svg" {
		t.Errorf("files %v", names)
	}
}

func TestReinstallReplaces(t *testing.T) {
	prefix := t.TempDir()
	opts := Options{Where: Prefix, Prefix: prefix, Binary: "/old/godl"}
	dir, err := Install(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "stale.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	opts.Binary = "/new/godl"
	dir2, err := Install(opts)
	if err != nil {
		t.Fatal(err)
	}
	if dir2 != dir || dir != filepath.Join(prefix, "share", "jupyter", "kernels", "godl") {
		t.Errorf("dirs %s, %s", dir, dir2)
	}
	if _, err := os.Stat(filepath.Join(dir, "stale.txt")); !os.IsNotExist(err) {
		t.Error("a file of the earlier install survived the reinstall")
	}
	if s := readSpec(t, dir); s.Argv[0] != "/new/godl" {
		t.Errorf("argv after reinstall = %v", s.Argv)
	}
	leftovers, _ := filepath.Glob(filepath.Join(prefix, "share", "jupyter", "kernels", ".godl-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary folders left: %v", leftovers)
	}
}

func TestUserDirWithoutJupyterDataDir(t *testing.T) {
	home := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", "")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", home)
	dir, err := KernelDir(Options{Where: User})
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(home, ".local", "share", "jupyter", "kernels", "godl"); dir != want {
		t.Errorf("user kernel dir %s, want %s", dir, want)
	}
	t.Setenv("VIRTUAL_ENV", "/venv")
	if dir, _ := KernelDir(Options{Where: SysPrefix}); dir != "/venv/share/jupyter/kernels/godl" {
		t.Errorf("sys-prefix dir %s", dir)
	}
	if _, err := KernelDir(Options{Where: Prefix}); err == nil {
		t.Error("an empty prefix was accepted")
	}
}

func TestLogos(t *testing.T) {
	for name, size := range map[string]int{"logo-32x32.png": 32, "logo-64x64.png": 64} {
		b, err := resources.ReadFile("resources/" + name)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if r := img.Bounds(); r.Dx() != size || r.Dy() != size {
			t.Errorf("%s is %v", name, r)
		}
	}
	svg, _ := resources.ReadFile("resources/logo-svg.svg")
	if !bytes.HasPrefix(svg, []byte("<svg")) {
		t.Error("logo-svg.svg is not an SVG")
	}
}

// TestJupyterKernelspecList checks the install with Jupyter's own listing, when jupyter
// is installed.
func TestJupyterKernelspecList(t *testing.T) {
	jupyter, err := exec.LookPath("jupyter")
	if err != nil {
		t.Skip("jupyter is not installed")
	}
	data := t.TempDir()
	t.Setenv("JUPYTER_DATA_DIR", data)
	dir, err := Install(Options{Where: User, Binary: "/usr/local/bin/godl"})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(jupyter, "kernelspec", "list", "--json").Output()
	if err != nil {
		t.Fatalf("jupyter kernelspec list: %v", err)
	}
	var list struct {
		Kernelspecs map[string]struct {
			ResourceDir string `json:"resource_dir"`
			Spec        Spec   `json:"spec"`
		} `json:"kernelspecs"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	ks, ok := list.Kernelspecs["godl"]
	if !ok {
		t.Fatalf("godl is not listed: %s", out)
	}
	if ks.ResourceDir != dir || ks.Spec.DisplayName != "Go (godl)" || ks.Spec.InterruptMode != "message" {
		t.Errorf("listed as %+v", ks)
	}
}
