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
