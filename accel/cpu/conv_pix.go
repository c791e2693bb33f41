package cpu

import (
	"godl.dev/godl/accel"
)

// Convolutions with enough filters run in the NHWC orientation without an im2col matrix:
// y[pixel][f] = Σ_p x[base(pixel) + off(p)] · w[p][f], where base(pixel) is where the
// pixel's window starts in the (zero-padded, when the convolution pads) input and
// off((kh,kw,c)) = (kh·Wp + kw)·C + c. The micro-kernel takes six pixel bases and walks
// the offset table, so any stride works, no output column is wasted, the filters sit on
// the vector axis and each tile of y is written in place, NHWC, with its bias and
// activation. The filter gradient dW[p][f] = Σ_pixel x[base + off(p)] · dy[pixel][f] is
// the same walk with the roles of offsets and bases exchanged.

// pixGeom locates windows in the (possibly padded) input.
type pixGeom struct {
	src    []float32 // x, or its zero-padded copy
	Wp     int       // row length of src in pixels
	imgLen int       // elements per image in src
	K, P   int
}

// pixUtil is the fraction of vector lanes the pixel-list kernels use for p.F filters.
func pixUtil(f int) float64 { return float64(f) / float64((f+nr-1)/nr*nr) }

// yTUtil is the fraction of multiply-adds the transposed implicit kernels keep for co
// output channels and an ho×wo output (the rest are padding rows and junk columns).
func yTUtil(co, ho, wo, kw int) float64 {
	wp := wo + kw - 1
	q := ho * wp
	qpad := (q + nr - 1) / nr * nr
	return float64(co) / float64((co+mr-1)/mr*mr) * float64(ho*wo) / float64(qpad)
}

// setupPix builds the padded input, the offset table and the pixel bases in s.
func (s *scratch) setupPix(p accel.Conv2DParams, x []float32) pixGeom {
	g := pixGeom{src: x, Wp: p.W, imgLen: p.H * p.W * p.C, K: p.KH * p.KW * p.C, P: p.N * p.OutH * p.OutW}
	hp := max(p.H+p.PadTop, (p.OutH-1)*p.StrideH+p.KH)
	wp := max(p.W+p.PadLeft, (p.OutW-1)*p.StrideW+p.KW)
	if p.PadTop > 0 || p.PadLeft > 0 || hp > p.H || wp > p.W {
		g.Wp = wp
		g.imgLen = hp * wp * p.C
		xp := grow(&s.xpad, p.N*g.imgLen)
		clear(xp)
		row := p.W * p.C
		for n := 0; n < p.N; n++ {
			for y := 0; y < p.H; y++ {
				d := n*g.imgLen + ((y+p.PadTop)*wp+p.PadLeft)*p.C
				copy(xp[d:d+row], x[(n*p.H+y)*row:(n*p.H+y+1)*row])
			}
		}
		g.src = xp
	}
	offs := growInt(&s.offs, g.K+mr)
	for kh := 0; kh < p.KH; kh++ {
		for kw := 0; kw < p.KW; kw++ {
			for c := 0; c < p.C; c++ {
				offs[(kh*p.KW+kw)*p.C+c] = (kh*g.Wp+kw)*p.C + c
			}
		}
	}
	for i := g.K; i < len(offs); i++ { // padding rows of the last dW panel
		offs[i] = 0
	}
	bases := growInt(&s.bases, g.P+mr)
	r := 0
	for n := 0; n < p.N; n++ {
		for oy := 0; oy < p.OutH; oy++ {
			for ox := 0; ox < p.OutW; ox++ {
				bases[r] = n*g.imgLen + (oy*p.StrideH*g.Wp+ox*p.StrideW)*p.C
				r++
			}
		}
	}
	for ; r < len(bases); r++ { // padding pixels of the last forward tile
		bases[r] = 0
	}
	return g
}

// pixJob is one pixel-list convolution call, split by output pixels.
type pixJob struct {
	bk     *Backend
	s      *scratch
	mode   convMode
	p      accel.Conv2DParams
	g      pixGeom
	wpack  []float32 // forward: W in nr-column panels
	bias   []float32
	act    accel.Activation
	y      []float32 // forward output
	dy     []float32 // filter gradient: dy, or its copy padded to ldy columns
	ldy    int
	kp, fp int // filter gradient: K and F rounded up to mr and nr
}

func (bk *Backend) runPix(mode convMode, p accel.Conv2DParams, x, w, bias []float32, act accel.Activation, y, dw, db []float32) {
	s := bk.getScratch()
	j := &s.pj
	*j = pixJob{bk: bk, s: s, mode: mode, p: p, g: s.setupPix(p, x), bias: bias, act: act}
	g := &j.g
	if mode == convForward {
		j.y = y
		j.wpack = packB(grow(&s.col, (p.F+nr-1)/nr*nr*g.K), false, w, p.F, 0, 0, g.K, p.F, bk.packBT)
	} else {
		j.kp = (g.K + mr - 1) / mr * mr
		j.fp = (p.F + nr - 1) / nr * nr
		j.dy, j.ldy = y, p.F
		if p.F%nr != 0 {
			// The kernel reads nr columns of dy per pixel: pad them.
			dyp := grow(&s.col, (g.P+1)*j.fp)
			clear(dyp)
			for r := 0; r < g.P; r++ {
				copy(dyp[r*j.fp:r*j.fp+p.F], y[r*p.F:(r+1)*p.F])
			}
			j.dy, j.ldy = dyp, j.fp
		}
	}
	tiles := (g.P + mr - 1) / mr
	workers, chunks := 1, 1
	if t := bk.threads(); t > 1 && 2*g.P*g.K*p.F >= parMinFlops {
		workers = min(t, tiles)
		chunks = min(tiles, 4*workers)
	}
	if mode == convBackFilter {
		// Partial sums per chunk, reduced in chunk order, and a chunk count that does not
		// depend on the threads: the gradient is the same bits on 1 and on 2 cores and
		// whichever worker runs which chunk, so seeded training is reproducible.
		chunks = min(tiles, maxPartials)
		clear(grow(&s.partial, chunks*j.kp*j.fp))
	}
	parallel(j, workers, chunks, &s.call)
	if mode == convBackFilter {
		size := j.kp * j.fp
		for pp := 0; pp < g.K; pp++ {
			for f := 0; f < p.F; f++ {
				var sum float32
				for c := 0; c < chunks; c++ {
					sum += s.partial[c*size+pp*j.fp+f]
				}
				dw[pp*p.F+f] = sum
			}
		}
		if db != nil {
			ones := grow(&s.ct, g.P)
			for i := range ones {
				ones[i] = 1
			}
			bk.gemmSerial(&s.part[0], false, false, 1, p.F, g.P, 1, ones, g.P, y, p.F, 0, db, p.F, nil)
		}
	}
	*j = pixJob{}
	bk.putScratch(s)
}

func (j *pixJob) run(part, parts, w int) {
	p, g := &j.p, &j.g
	ps := &j.s.part[w]
	lo, hi := split(g.P, parts, part, mr)
	if j.mode == convBackFilter {
		size := j.kp * j.fp
		dwT := j.s.partial[part*size : (part+1)*size] // this chunk's partial sum, zeroed
		if lo >= hi {
			return
		}
		kern := j.bk.pixAT
		for p0 := 0; p0 < g.K; p0 += mr {
			for f0 := 0; f0 < p.F; f0 += nr {
				kern(hi-lo, &g.src[0], &j.s.bases[lo], &j.s.offs[p0], &j.dy[lo*j.ldy+f0], j.ldy, &dwT[p0*j.fp+f0], j.fp, true)
			}
		}
		return
	}
	kern := j.bk.pixA
	F := p.F
	ep := epilogue{bias: j.bias, act: j.act}
	hasEp := ep.active()
	for r0 := lo; r0 < hi; r0 += mr {
		rows := min(mr, hi-r0)
		for f0 := 0; f0 < F; f0 += nr {
			cols := min(nr, F-f0)
			panel := j.wpack[(f0/nr)*nr*g.K:]
			full := rows == mr && cols == nr
			c, ldc := j.y[r0*F+f0:], F
			if !full {
				c, ldc = ps.tile[:], nr
			}
			for pc := 0; pc < g.K; pc += kc {
				kcb := min(kc, g.K-pc)
				kern(kcb, &g.src[0], &j.s.bases[r0], &j.s.offs[pc], &panel[pc*nr], &c[0], ldc, pc > 0)
			}
			if !full {
				for i := 0; i < rows; i++ {
					copy(j.y[(r0+i)*F+f0:(r0+i)*F+f0+cols], ps.tile[i*nr:i*nr+cols])
				}
			}
		}
		if hasEp {
			j.bk.epilogueRows(j.y[r0*F:], rows, F, F, ep.bias, ep.act)
		}
	}
}

// growInt is grow for []int.
func growInt(buf *[]int, n int) []int {
	if cap(*buf) < n {
		*buf = make([]int, n+n/4)
	}
	*buf = (*buf)[:n]
	return *buf
}
