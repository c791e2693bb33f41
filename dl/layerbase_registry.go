package dl

import (
	"sort"
	"strings"
	"sync"
)

// Lookups by Keras name. The losses, metrics and optimizers are registered by dl/losses,
// dl/metrics and dl/optimizers (RegisterLoss, RegisterMetric, RegisterOptimizer); those
// packages' Get and Names functions are these. Initializers are registered here, and dl/layers
// may register more.

var (
	initializersMu sync.Mutex
	initializers   = map[string]Initializer{
		"glorot_uniform": glorotUniform{},
		"he_normal":      heNormal{},
		"random_normal":  randomNormal{mean: 0, std: 0.05},
		"zeros":          constInit(0),
		"ones":           constInit(1),
	}
)

// RegisterInitializer makes GetInitializer return init for name (case-insensitive),
// replacing any initializer registered under that name.
func RegisterInitializer(name string, init Initializer) {
	initializersMu.Lock()
	defer initializersMu.Unlock()
	initializers[strings.ToLower(name)] = init
}

// GetInitializer returns an initializer by its Keras name, as tf.keras.initializers.get
// does. Built in, with Keras's default arguments: "glorot_uniform" (U(±√(6/(fanIn+fanOut)))),
// "he_normal" (normal truncated at 2σ, σ = √(2/fanIn)), "random_normal" (N(0, 0.05²)),
// "zeros" and "ones"; RegisterInitializer adds others. An unknown name panics with an
// *Error listing the known ones.
func GetInitializer(name string) Initializer {
	initializersMu.Lock()
	init, ok := initializers[strings.ToLower(name)]
	initializersMu.Unlock()
	if !ok {
		panicf("GetInitializer", nil, "unknown initializer %q; known: %s", name, strings.Join(InitializerNames(), ", "))
	}
	return init
}

// InitializerNames returns the names GetInitializer accepts, sorted.
func InitializerNames() []string { return sortedNames(&initializersMu, initializers) }

// GetLoss returns the loss registered under name (case-insensitive), as
// tf.keras.losses.get does. An unknown name panics with an *Error listing the known ones.
func GetLoss(name string) Loss { return getNamed("GetLoss", "loss", name, registry.losses)() }

// LossNames returns the names GetLoss accepts, sorted.
func LossNames() []string { return namesOf(registry.losses) }

// GetMetric returns the metric registered under name (case-insensitive), as
// tf.keras.metrics.get does. An unknown name panics with an *Error listing the known ones.
func GetMetric(name string) Metric {
	return getNamed("GetMetric", "metric", name, registry.metrics)()
}

// MetricNames returns the names GetMetric accepts, sorted.
func MetricNames() []string { return namesOf(registry.metrics) }

// GetOptimizer returns a new optimizer of the kind registered under name
// (case-insensitive), with its default arguments, as tf.keras.optimizers.get does. An
// unknown name panics with an *Error listing the known ones.
func GetOptimizer(name string) Optimizer {
	return getNamed("GetOptimizer", "optimizer", name, registry.optimizers)()
}

// OptimizerNames returns the names GetOptimizer accepts, sorted.
func OptimizerNames() []string { return namesOf(registry.optimizers) }

// getNamed returns m[lower(name)], or panics as op, naming the kind and the known names.
func getNamed[T any](op, kind, name string, m map[string]T) T {
	registry.Lock()
	v, ok := m[strings.ToLower(name)]
	registry.Unlock()
	if !ok {
		hint := "known: " + strings.Join(namesOf(m), ", ")
		if len(m) == 0 {
			hint = "import godl.dev/godl/dl/" + kind + "s to register the built-in ones"
		}
		panicf(op, nil, "unknown %s %q; %s", kind, name, hint)
	}
	return v
}

// namesOf returns the keys of m, a map of the registry, sorted.
func namesOf[T any](m map[string]T) []string { return sortedNames(&registry.Mutex, m) }

// sortedNames returns m's keys, sorted, holding mu, the lock that guards m.
func sortedNames[T any](mu *sync.Mutex, m map[string]T) []string {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
