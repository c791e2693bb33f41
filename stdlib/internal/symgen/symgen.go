// Package symgen writes the yaegi symbol tables of the godl packages a notebook cell can
// import. It is run by `go generate ./stdlib` and by the test that checks the committed
// tables are fresh.
package symgen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/traefik/yaegi/extract"
)

// Packages lists the import paths of the godl packages exposed to cells. Adding a package
// to the notebook is one line here followed by `go generate ./stdlib`.
var Packages = []string{
	"godl.dev/godl/display",
	"godl.dev/godl/interrupt",
	"godl.dev/godl/dl",
	"godl.dev/godl/dl/datasets",
	"godl.dev/godl/dl/layers",
	"godl.dev/godl/dl/losses",
	"godl.dev/godl/dl/metrics",
	"godl.dev/godl/dl/optimizers",
	"godl.dev/godl/plots",
}

// FileName returns the name of the generated file for importPath, such as
// "godl_dev_godl_display.go".
func FileName(importPath string) string {
	return strings.NewReplacer("/", "_", ".", "_", "-", "_").Replace(importPath) + ".go"
}

// Generate writes one file per package of Packages into dir, which must be a directory of
// the godl module (the packages are loaded from source with the go command). Files are
// declared in package stdlib and register into its Symbols map from init.
func Generate(dir string) error {
	ext := extract.Extractor{Dest: "stdlib"}
	for _, p := range Packages {
		var buf bytes.Buffer
		if _, err := ext.Extract(p, "", &buf); err != nil {
			return fmt.Errorf("symgen: extracting %s: %w", p, err)
		}
		if err := os.WriteFile(filepath.Join(dir, FileName(p)), buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("symgen: %w", err)
		}
	}
	return nil
}
