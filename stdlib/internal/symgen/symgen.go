// Package symgen writes the yaegi symbol tables of the godl packages a notebook cell can
// import. It is run by `go generate ./stdlib` and by the test that checks the committed
// tables are fresh.
package symgen

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/traefik/yaegi/extract"
)

// Packages lists the import paths of the godl packages exposed to cells. Adding a package
// to the notebook is one line here followed by `go generate ./stdlib`.
var Packages = []string{
	"godl.dev/godl/display",
	"godl.dev/godl/interrupt",
	"godl.dev/godl/dl",
	"godl.dev/godl/dl/applications",
	"godl.dev/godl/dl/callbacks",
	"godl.dev/godl/dl/data",
	"godl.dev/godl/dl/datasets",
	"godl.dev/godl/dl/images",
	"godl.dev/godl/dl/layers",
	"godl.dev/godl/dl/losses",
	"godl.dev/godl/dl/metrics",
	"godl.dev/godl/dl/optimizers",
	"godl.dev/godl/dl/regularizers",
	"godl.dev/godl/dl/tensorboard",
	"godl.dev/godl/plots",
}

// FileName returns the name of the generated file for importPath, such as
// "godl_dev_godl_display.go".
func FileName(importPath string) string {
	return strings.NewReplacer("/", "_", ".", "_", "-", "_").Replace(importPath) + ".go"
}

// Generate writes one file per package of Packages into dir, which must be a directory of
// the godl module (the packages are loaded from source with the go command). Files are
// declared in package stdlib and register into its Symbols map from init. Packages are
// extracted concurrently: loading them from source dominates the time.
func Generate(dir string) error {
	errs := make([]error, len(Packages))
	var wg sync.WaitGroup
	for i, p := range Packages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ext := extract.Extractor{Dest: "stdlib"}
			var buf bytes.Buffer
			if _, err := ext.Extract(p, "", &buf); err != nil {
				errs[i] = fmt.Errorf("symgen: extracting %s: %w", p, err)
				return
			}
			if err := os.WriteFile(filepath.Join(dir, FileName(p)), buf.Bytes(), 0o644); err != nil {
				errs[i] = fmt.Errorf("symgen: %w", err)
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}
