package display

import "testing"

type nopSink struct{}

func (nopSink) Display(Bundle)   {}
func (nopSink) Update(Bundle)    {}
func (nopSink) ClearOutput(bool) {}

func TestRich(t *testing.T) {
	if Rich() {
		t.Fatal("Rich() with the default sink = true, want false")
	}
	prev := SetSink(nopSink{})
	if !Rich() {
		t.Error("Rich() with an installed sink = false, want true")
	}
	SetSink(nil)
	if Rich() {
		t.Error("Rich() after SetSink(nil) = true, want false")
	}
	SetSink(prev)
	if Rich() {
		t.Error("Rich() after restoring the default sink = true, want false")
	}
}
