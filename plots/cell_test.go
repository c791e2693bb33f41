package plots_test

import (
	"testing"

	"github.com/traefik/yaegi/interp"
	yaegistdlib "github.com/traefik/yaegi/stdlib"

	"godl.dev/godl/display"
	"godl.dev/godl/plots"
	"godl.dev/godl/stdlib"
)

// TestFromCell calls the package from interpreted code, as a notebook cell does, and
// renders the results the way the kernel renders a cell's last value.
func TestFromCell(t *testing.T) {
	i := interp.New(interp.Options{})
	if err := i.Use(yaegistdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	if err := i.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	cells := []string{
		`import "godl.dev/godl/plots"`,
		`history := map[string][]float64{"loss": {0.9, 0.5, 0.3}, "val_loss": {1.0, 0.6, 0.5}}
		 fig, err := plots.History(history, plots.Title("cell"), plots.Size(400, 200), plots.Metrics("loss"))`,
		`runs, errCompare := plots.Compare([]string{"sgd", "adam"}, []map[string][]float64{history, {"loss": {0.4, 0.2}}}, plots.Columns(1))`,
		`pix := make([]uint8, 2*4*4)
		 grid, errGrid := plots.ImageGridUint8(pix, 2, 4, 4, 1, plots.Labels([]int{1, 2}), plots.Predictions([]int{1, 3}), plots.ClassNames([]string{"a", "b", "c", "d"}))`,
		`_, errShape := plots.ImageGridUint8(pix, 3, 4, 4, 1)`,
	}
	for _, c := range cells {
		if _, err := i.Eval(c); err != nil {
			t.Fatalf("cell %q: %v", c, err)
		}
	}
	for _, name := range []string{"err", "errCompare", "errGrid"} {
		v, err := i.Eval(name)
		if err != nil {
			t.Fatal(err)
		}
		if !v.IsNil() {
			t.Errorf("%s = %v", name, v.Interface())
		}
	}
	v, err := i.Eval("errShape")
	if err != nil || v.IsNil() {
		t.Fatalf("a wrong shape gave no error in the cell (%v)", err)
	}
	for _, name := range []string{"fig", "runs", "grid"} {
		v, err := i.Eval(name)
		if err != nil {
			t.Fatal(err)
		}
		f, ok := v.Interface().(*plots.Figure)
		if !ok {
			t.Fatalf("%s is a %T, want *plots.Figure", name, v.Interface())
		}
		b := display.Render(f)
		if s, _ := b.Data[display.MIMEPNG].(string); len(s) < 100 {
			t.Errorf("%s renders without a PNG: %v", name, b.Data[display.MIMEText])
		}
	}
}
