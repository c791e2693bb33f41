package layers

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"godl.dev/godl/dl"
	"godl.dev/godl/dl/internal/cfgnum"
)

// initializerNames maps Keras's string names of initializers to the built-in ones.
var initializerNames = map[string]func() Initializer{
	"glorot_uniform": func() Initializer { return GlorotUniform },
	"zeros":          func() Initializer { return Zeros },
	"ones":           func() Initializer { return Ones },
	"he_normal":      func() Initializer { return HeNormal },
	"random_normal":  func() Initializer { return RandomNormal(0, 0.05) },
}

// InitializerByName returns the initializer Keras calls name, as a string argument such as
// kernel_initializer='he_normal' selects: "glorot_uniform", "he_normal", "random_normal"
// (mean 0, standard deviation 0.05), "zeros" or "ones", or one registered with
// dl.RegisterInitializer.
func InitializerByName(name string) (Initializer, error) {
	if f, ok := initializerNames[strings.ToLower(name)]; ok {
		return f(), nil
	}
	for _, n := range dl.InitializerNames() {
		if strings.EqualFold(n, name) {
			return dl.GetInitializer(n), nil
		}
	}
	known := append([]string(nil), dl.InitializerNames()...)
	for k := range initializerNames {
		if !contains(known, k) {
			known = append(known, k)
		}
	}
	sort.Strings(known)
	return nil, fmt.Errorf("layers: unknown initializer %q (want one of %s)", name, strings.Join(known, ", "))
}

// InitializerConfig returns init's configuration: its Keras name for the parameterless
// built-ins ("glorot_uniform"), or Keras's serialized form {"class_name": "RandomNormal",
// "config": {"mean": 0, "stddev": 0.05}} for the others. An initializer written in a cell is
// recorded by its Go type name, which InitializerFromConfig refuses.
func InitializerConfig(init Initializer) any {
	switch init {
	case nil:
		return nil
	case GlorotUniform:
		return "glorot_uniform"
	case HeNormal:
		return "he_normal"
	case Zeros:
		return "zeros"
	case Ones:
		return "ones"
	}
	if t := reflect.TypeOf(init); t == constantType || t == randomNormalType {
		k := init.(interface {
			ClassName() string
			Config() map[string]any
		})
		return map[string]any{"class_name": k.ClassName(), "config": k.Config()}
	}
	// An initializer registered with dl.RegisterInitializer (dl's own built-ins included) is
	// saved by its name.
	if reflect.TypeOf(init).Comparable() {
		for _, n := range dl.InitializerNames() {
			if g := dl.GetInitializer(n); reflect.TypeOf(g) == reflect.TypeOf(init) && reflect.TypeOf(g).Comparable() && any(g) == any(init) {
				return n
			}
		}
	}
	return map[string]any{"class_name": fmt.Sprintf("%T", init)}
}

// The types of dl's parameterised initializers, whose ClassName and Config are Keras's.
var (
	constantType     = reflect.TypeOf(Constant(0))
	randomNormalType = reflect.TypeOf(RandomNormal(0, 0))
)

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// InitializerFromConfig rebuilds an initializer from what InitializerConfig returned, or
// from a Keras name.
func InitializerFromConfig(cfg any) (Initializer, error) {
	switch c := cfg.(type) {
	case string:
		return InitializerByName(c)
	case map[string]any:
		class, _ := c["class_name"].(string)
		args, _ := c["config"].(map[string]any)
		num := func(key string, def float64) (float64, error) {
			v, ok := args[key]
			if !ok || v == nil {
				return def, nil
			}
			f, ok := cfgnum.Float(v)
			if !ok {
				return 0, fmt.Errorf("layers: initializer %s: %q must be a number, got %v", class, key, v)
			}
			return f, nil
		}
		switch class {
		case "Constant":
			v, err := num("value", 0)
			return Constant(v), err
		case "RandomNormal":
			m, err := num("mean", 0)
			if err != nil {
				return nil, err
			}
			s, err := num("stddev", 0.05)
			return RandomNormal(m, s), err
		case "GlorotUniform", "HeNormal", "Zeros", "Ones":
			return InitializerByName(snake(class))
		}
		return nil, fmt.Errorf("layers: cannot rebuild an initializer of class %q from its configuration; set it again in code", class)
	}
	return nil, fmt.Errorf("layers: initializer configuration %v is neither a name nor a map with class_name", cfg)
}

// snake turns the initializer class names above into their Keras names.
func snake(class string) string {
	switch class {
	case "GlorotUniform":
		return "glorot_uniform"
	case "HeNormal":
		return "he_normal"
	}
	return strings.ToLower(class)
}
