package cpu

import (
	"runtime"
	"testing"

	"godl.dev/godl/accel"
	"godl.dev/godl/accel/acceltest"
)

func TestConformance(t *testing.T) {
	acceltest.TestBackend(t, New())
}

func TestConformanceGeneric(t *testing.T) {
	acceltest.TestBackend(t, NewGeneric())
}

func TestConformanceOneThread(t *testing.T) {
	b := New()
	b.SetMaxThreads(1)
	acceltest.TestBackend(t, b)
}

func TestRegistered(t *testing.T) {
	if accel.Default() == nil {
		t.Fatal("no default backend after importing accel/cpu")
	}
}

// TestConformanceManyThreads splits every kernel into up to eight parts, more than this
// machine has cores, to exercise the part boundaries.
func TestConformanceManyThreads(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	acceltest.TestBackend(t, New())
}
