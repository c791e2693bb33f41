// Package cfgnum reads the numbers of saved configurations (of layers, optimizers and
// regularizers) for the dl packages that rebuild objects from them.
package cfgnum

// Float returns v as a float64 when it is a number as a configuration holds one: a float64
// as encoding/json decodes numbers, or a float32, int, int32 or int64 as Go code writes
// them. It reports false for anything else, nil included.
func Float(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case int:
		return float64(x), true
	case int32:
		return float64(x), true
	case int64:
		return float64(x), true
	}
	return 0, false
}
