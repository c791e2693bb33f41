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
	bk.runPool(poolMax, p, x, y, argmax)
}

// MaxPool2DBackward scatters dy into dx through argmax; see accel.Backend.
func (bk *Backend) MaxPool2DBackward(p accel.Pool2DParams, dy []float32, argmax []int32, dx []float32) {
	checkPool("MaxPool2DBackward", p, len(dx), len(dy), "dx", "dy")
	out := p.N * p.OutH * p.OutW * p.C
	checkLen("MaxPool2DBackward", "argmax", len(argmax), out)
	bk.runPool(poolMaxBack, p, dx, dy, argmax)
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

type poolMode int

const (
	poolMax poolMode = iota
	poolMaxBack
)

// poolJob is one max-pooling call, split by images.
type poolJob struct {
	bk     *Backend
	s      *scratch
	mode   poolMode
	p      accel.Pool2DParams
	x, y   []float32 // dx and dy for the backward pass
	argmax []int32
	bad    [maxThreads]int // per worker: 1 + an output whose argmax left its image, or 0
}

// poolMinOutputs is the output size from which pooling is split across goroutines.
const poolMinOutputs = 8 << 10

func (bk *Backend) runPool(mode poolMode, p accel.Pool2DParams, x, y []float32, argmax []int32) {
	if p.N == 0 {
		return
	}
	s := bk.getScratch()
	j := &s.plj
	*j = poolJob{bk: bk, s: s, mode: mode, p: p, x: x, y: y, argmax: argmax}
	workers := 1
	if t := bk.threads(); t > 1 && p.N*p.OutH*p.OutW*p.C >= poolMinOutputs {
		workers = min(t, p.N)
	}
	parallel(j, workers, p.N, &s.call)
	for _, b := range j.bad[:workers] {
		if b != 0 {
			in := p.H * p.W * p.C
			o := b - 1
			n := o / (p.OutH * p.OutW * p.C)
			panicf("MaxPool2DBackward: argmax[%d] = %d is outside its image's dx elements [%d, %d)", o, argmax[o], n*in, (n+1)*in)
		}
	}
	*j = poolJob{}
	bk.putScratch(s)
}

func (j *poolJob) run(part, parts, w int) {
	p := &j.p
	n0, n1 := split(p.N, parts, part, 1)
	C := p.C
	in, out := p.H*p.W*C, p.OutH*p.OutW*C
	if j.mode == poolMaxBack {
		dx := j.x[n0*in : n1*in]
		clear(dx)
		for n := n0; n < n1; n++ {
			if out == 0 {
				break
			}
			if b := j.bk.scatterAdd(out, &j.argmax[n*out], &j.y[n*out], &dx[(n-n0)*in], n*in, in); b != 0 {
				j.bad[part] = n*out + b
				return
			}
		}
		return
	}
	g := poolGeom{*p}
	ps := &j.s.part[w]
	offs := growInt(&ps.offs, p.KH*p.KW)[:0]
	c8 := (C + 7) / 8 * 8
	nx, ny := p.N*in, n1*out // the vector spill must not reach another part's outputs
	x, y, argmax := j.x, j.y, j.argmax
	// Windows wholly inside the image along x: ox in [oxLo, oxHi).
	oxLo := (p.PadLeft + p.StrideW - 1) / p.StrideW
	oxHi := min(p.OutW, (p.W+p.PadLeft-p.KW)/p.StrideW+1)
	for n := n0; n < n1; n++ {
		img := n * in
		for oy := 0; oy < p.OutH; oy++ {
			ox := 0
			y0, y1, _, _ := g.window(oy, 0)
			if y1-y0 == p.KH && oxLo < oxHi {
				// The interior run: one window shape, one assembly call.
				for ; ox < oxLo; ox++ {
					j.pixel(&g, n, oy, ox, offs, c8, nx, ny)
				}
				offs = offs[:0]
				for kh := 0; kh < p.KH; kh++ {
					for kw := 0; kw < p.KW; kw++ {
						offs = append(offs, (kh*p.W+kw)*C)
					}
				}
				run := oxHi - oxLo
				o := ((n*p.OutH+oy)*p.OutW + oxLo) * C
				start := img + (y0*p.W+oxLo*p.StrideW-p.PadLeft)*C
				// Pixels whose vectors would leave the outputs or x go one by one.
				for run > 0 && (o+(run-1)*C+c8 > ny || start+(run-1)*p.StrideW*C+offs[len(offs)-1]+c8 > nx) {
					run--
				}
				if run > 0 {
					j.bk.maxPoolRow(run, &x[start], p.StrideW*C, &offs[0], len(offs), C, &y[o], &argmax[o], start)
				}
				ox = oxLo + run
			}
			for ; ox < p.OutW; ox++ {
				j.pixel(&g, n, oy, ox, offs, c8, nx, ny)
			}
		}
	}
}

// pixel pools one output pixel, clipping its window to the image.
func (j *poolJob) pixel(g *poolGeom, n, oy, ox int, offs []int, c8, nx, ny int) {
	p := &j.p
	C := p.C
	img := n * p.H * p.W * C
	o := ((n*p.OutH+oy)*p.OutW + ox) * C
	y0, y1, x0, x1 := g.window(oy, ox)
	offs = offs[:0]
	for iy := y0; iy < y1; iy++ {
		for ix := x0; ix < x1; ix++ {
			offs = append(offs, (iy*p.W+ix)*C)
		}
	}
	if o+c8 > ny || img+offs[len(offs)-1]+c8 > nx {
		maxPoolPixelGeneric(&j.x[img], &offs[0], len(offs), C, &j.y[o], &j.argmax[o], img)
		return
	}
	j.bk.maxPoolRow(1, &j.x[img], 0, &offs[0], len(offs), C, &j.y[o], &j.argmax[o], img)
}
