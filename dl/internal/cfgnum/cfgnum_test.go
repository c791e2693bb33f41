package cfgnum

import "testing"

func TestFloat(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want float64
		ok   bool
	}{
		{2.5, 2.5, true}, {float32(0.25), 0.25, true}, {3, 3, true}, {int32(-4), -4, true},
		{int64(1 << 40), 1 << 40, true}, {nil, 0, false}, {"1", 0, false}, {true, 0, false}, {uint8(1), 0, false},
	} {
		if got, ok := Float(tc.v); got != tc.want || ok != tc.ok {
			t.Errorf("Float(%#v) = %v, %v; want %v, %v", tc.v, got, ok, tc.want, tc.ok)
		}
	}
}
