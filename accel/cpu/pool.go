package cpu

import (
	"math"

	"godl.dev/godl/accel"
)

func checkPool(op string, p accel.Pool2DParams, lx, ly int, xname, yname string) {
	if p.N < 0 || p.H <= 0 || p.W <= 0 || p.C <= 0 || p.KH <= 0 || p.KW <= 0 ||
		p.StrideH <= 0 || p.StrideW <= 0 || p.PadTop < 0 || p.PadLeft < 0 || p.OutH <= 0 || p.OutW <= 0 {
		panicf("%s: invalid parameters %+v: sizes and strides must be positive, padding non-negative", op, p)
	}
	if p.PadTop >= p.KH || p.PadLeft >= p.KW ||
		(p.OutH-1)*p.StrideH-p.PadTop >= p.H || (p.OutW-1)*p.StrideW-p.PadLeft >= p.W {
		panicf("%s: parameters %+v give windows that lie wholly in the padding", op, p)
	}
	checkLen(op, xname, lx, p.N*p.H*p.W*p.C)
	checkLen(op, yname, ly, p.N*p.OutH*p.OutW*p.C)
}

// window returns the unpadded input rows [y0, y1) and columns [x0, x1) of output (oy, ox).
func (p *poolGeom) window(oy, ox int) (y0, y1, x0, x1 int) {
	y0 = oy*p.StrideH - p.PadTop
	x0 = ox*p.StrideW - p.PadLeft
	y1 = min(y0+p.KH, p.H)
	x1 = min(x0+p.KW, p.W)
	return max(y0, 0), y1, max(x0, 0), x1
}

type poolGeom struct{ accel.Pool2DParams }

// MaxPool2D computes y and argmax; see accel.Backend.
func (bk *Backend) MaxPool2D(p accel.Pool2DParams, x, y []float32, argmax []int32) {
	checkPool("MaxPool2D", p, len(x), len(y), "x", "y")
	checkLen("MaxPool2D", "argmax", len(argmax), p.N*p.OutH*p.OutW*p.C)
	if len(x) > math.MaxInt32 {
		panicf("MaxPool2D: x has %d elements, more than int32 argmax indices can address", len(x))
	}
	if p.N == 0 {
		return
	}
	g := poolGeom{p}
	C := p.C
	s := bk.getScratch()
	defer bk.putScratch(s)
	offs := growInt(&s.offs, p.KH*p.KW)[:0]
	kern := bk.maxPoolPixel
	c8 := (C + 7) / 8 * 8
	nx, ny := p.N*p.H*p.W*C, p.N*p.OutH*p.OutW*C
	for n := 0; n < p.N; n++ {
		img := n * p.H * p.W * C
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				o := ((n*p.OutH+oy)*p.OutW + ox) * C
				y0, y1, x0, x1 := g.window(oy, ox)
				offs = offs[:0]
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						offs = append(offs, (iy*p.W+ix)*C)
					}
				}
				if o+c8 > ny || img+offs[len(offs)-1]+c8 > nx {
					maxPoolPixelGeneric(&x[img], &offs[0], len(offs), C, &y[o], &argmax[o], img)
					continue
				}
				kern(&x[img], &offs[0], len(offs), C, &y[o], &argmax[o], img)
			}
		}
	}
}

// MaxPool2DBackward scatters dy into dx through argmax; see accel.Backend.
func (bk *Backend) MaxPool2DBackward(p accel.Pool2DParams, dy []float32, argmax []int32, dx []float32) {
	checkPool("MaxPool2DBackward", p, len(dx), len(dy), "dx", "dy")
	out := p.N * p.OutH * p.OutW * p.C
	checkLen("MaxPool2DBackward", "argmax", len(argmax), out)
	in := p.N * p.H * p.W * p.C
	dx = dx[:in]
	clear(dx)
	for o, i := range argmax[:out] {
		if uint(i) >= uint(in) {
			panicf("MaxPool2DBackward: argmax[%d] = %d is outside dx's %d elements", o, i, in)
		}
		dx[i] += dy[o]
	}
}

// AvgPool2D computes y, the mean of each window's unpadded cells; see accel.Backend.
func (bk *Backend) AvgPool2D(p accel.Pool2DParams, x, y []float32) {
	checkPool("AvgPool2D", p, len(x), len(y), "x", "y")
	g := poolGeom{p}
	C := p.C
	for n := 0; n < p.N; n++ {
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				o := ((n*p.OutH+oy)*p.OutW + ox) * C
				yo := y[o : o+C]
				clear(yo)
				y0, y1, x0, x1 := g.window(oy, ox)
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						i := ((n*p.H+iy)*p.W + ix) * C
						for c, v := range x[i : i+C] {
							yo[c] += v
						}
					}
				}
				inv := 1 / float32((y1-y0)*(x1-x0))
				for c := range yo {
					yo[c] *= inv
				}
			}
		}
	}
}

// AvgPool2DBackward spreads dy evenly over each window's unpadded cells; see
// accel.Backend.
func (bk *Backend) AvgPool2DBackward(p accel.Pool2DParams, dy, dx []float32) {
	checkPool("AvgPool2DBackward", p, len(dx), len(dy), "dx", "dy")
	g := poolGeom{p}
	C := p.C
	clear(dx[:p.N*p.H*p.W*C])
	for n := 0; n < p.N; n++ {
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				o := ((n*p.OutH+oy)*p.OutW + ox) * C
				do := dy[o : o+C]
				y0, y1, x0, x1 := g.window(oy, ox)
				inv := 1 / float32((y1-y0)*(x1-x0))
				for iy := y0; iy < y1; iy++ {
					for ix := x0; ix < x1; ix++ {
						i := ((n*p.H+iy)*p.W + ix) * C
						d := dx[i : i+C]
						for c, v := range do {
							d[c] += v * inv
						}
					}
				}
			}
		}
	}
}
