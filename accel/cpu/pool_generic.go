package cpu

import "unsafe"

// maxPoolPixelFunc computes one output pixel of max pooling over c channels: for each
// channel ch, the largest x[offs[k]+ch] over the ncells window cells (the first one on
// ties) goes to y[ch] and its index base+offs[k]+ch to arg[ch]. ncells is at least 1.
//
// The assembly version works on whole 8-lane vectors: it reads x and writes y and arg up
// to c rounded up to 8, past this pixel's channels. Callers process pixels in increasing
// order, so the next pixel overwrites the spill, and use maxPoolPixelGeneric where the
// rounding would leave the slices.
type maxPoolPixelFunc func(x *float32, offs *int, ncells, c int, y *float32, arg *int32, base int)

// maxPoolPixelGeneric is the portable maxPoolPixelFunc.
func maxPoolPixelGeneric(x *float32, offs *int, ncells, c int, y *float32, arg *int32, base int) {
	os := unsafe.Slice(offs, ncells)
	ys := unsafe.Slice(y, c)
	as := unsafe.Slice(arg, c)
	for ch := range ys {
		best, bi := at(x, os[0]+ch), os[0]+ch
		for _, o := range os[1:] {
			if v := at(x, o+ch); v > best {
				best, bi = v, o+ch
			}
		}
		ys[ch] = best
		as[ch] = int32(base + bi)
	}
}

// maxPoolRowFunc runs maxPoolPixelFunc on npix pixels whose windows start step elements
// apart in x (pixel i: x+i·step, base+i·step) and whose outputs are c apart in y and arg.
type maxPoolRowFunc func(npix int, x *float32, step int, offs *int, ncells, c int, y *float32, arg *int32, base int)

// maxPoolRowGeneric is the portable maxPoolRowFunc.
func maxPoolRowGeneric(npix int, x *float32, step int, offs *int, ncells, c int, y *float32, arg *int32, base int) {
	for i := 0; i < npix; i++ {
		maxPoolPixelGeneric(ptr(x, i*step), offs, ncells, c, ptr(y, i*c),
			(*int32)(unsafe.Add(unsafe.Pointer(arg), i*c*4)), base+i*step)
	}
}

// scatterAddFunc adds src[i] into dst[idx[i]-lo] for i < n, stopping at the first index
// outside [lo, lo+size): it returns 1 + that i, or 0 when all were inside.
type scatterAddFunc func(n int, idx *int32, src *float32, dst *float32, lo, size int) (bad int)

// scatterAddGeneric is the portable scatterAddFunc.
func scatterAddGeneric(n int, idx *int32, src *float32, dst *float32, lo, size int) int {
	is := unsafe.Slice(idx, n)
	ss := unsafe.Slice(src, n)
	ds := unsafe.Slice(dst, size)
	for i, v := range is {
		k := int(v) - lo
		if uint(k) >= uint(size) {
			return i + 1
		}
		ds[k] += ss[i]
	}
	return 0
}
