package cpu

import (
	"godl.dev/godl/accel"
)

// colChunkFloats bounds the im2col rows one part builds at a time, so that the rows and
// the product's packed panels stay in L2.
const colChunkFloats = 16 << 10

// Conv2D computes y = act(conv(x, w) + bias); see accel.Backend.
//
// Each output position is a row of im2col(x) (its KH·KW·C window, in HWIO order); the HWIO
// kernel is a [KH·KW·C, F] matrix, so y[N·OutH·OutW, F] = im2col(x)·w, with bias and
// activation applied to each tile of y as the product finishes it.
func (bk *Backend) Conv2D(p accel.Conv2DParams, x, w, bias []float32, act accel.Activation, y []float32) {
	checkConv("Conv2D", p, len(x), len(w), len(y), "y")
	if bias != nil {
		checkLen("Conv2D", "bias", len(bias), p.F)
	}
	checkAct("Conv2D", act)
	bk.runConv(convForward, p, x, w, bias, act, y, nil, nil)
}

// Conv2DBackwardData computes dx from dy and w; see accel.Backend.
func (bk *Backend) Conv2DBackwardData(p accel.Conv2DParams, dy, w, dx []float32) {
	checkConv("Conv2DBackwardData", p, len(dx), len(w), len(dy), "dy")
	bk.runConv(convBackData, p, dx, w, nil, accel.Linear, dy, nil, nil)
}

// Conv2DBackwardFilter computes dw and db from x and dy; see accel.Backend.
func (bk *Backend) Conv2DBackwardFilter(p accel.Conv2DParams, x, dy, dw, db []float32) {
	checkConv("Conv2DBackwardFilter", p, len(x), len(dw), len(dy), "dy")
	if db != nil {
		checkLen("Conv2DBackwardFilter", "db", len(db), p.F)
	}
	bk.runConv(convBackFilter, p, x, nil, nil, accel.Linear, dy, dw, db)
}

func checkConv(op string, p accel.Conv2DParams, lx, lw, ly int, yname string) {
	if p.N < 0 || p.H <= 0 || p.W <= 0 || p.C <= 0 || p.KH <= 0 || p.KW <= 0 || p.F <= 0 ||
		p.StrideH <= 0 || p.StrideW <= 0 || p.PadTop < 0 || p.PadLeft < 0 || p.OutH <= 0 || p.OutW <= 0 {
		panicf("%s: invalid parameters %+v: sizes and strides must be positive, padding non-negative", op, p)
	}
	if p.PadTop >= p.KH || p.PadLeft >= p.KW ||
		(p.OutH-1)*p.StrideH-p.PadTop >= p.H || (p.OutW-1)*p.StrideW-p.PadLeft >= p.W {
		panicf("%s: parameters %+v give windows that lie wholly in the padding", op, p)
	}
	name := "x"
	if yname == "dy" && op == "Conv2DBackwardData" {
		name = "dx"
	}
	checkLen(op, name, lx, p.N*p.H*p.W*p.C)
	if op == "Conv2DBackwardFilter" {
		checkLen(op, "dw", lw, p.KH*p.KW*p.C*p.F)
	} else {
		checkLen(op, "w", lw, p.KH*p.KW*p.C*p.F)
	}
	checkLen(op, yname, ly, p.N*p.OutH*p.OutW*p.F)
}

// Convolution algorithms.
const (
	pathIm2col   = iota // explicit im2col rows + GEMM
	pathImplicit        // transposed implicit GEMM (stride 1)
	pathPix             // NHWC pixel-list kernels
)

// convPath picks the algorithm with the best use of the vector lanes for p: the
// pixel-list kernels put the filters on the 16-lane axis, the transposed implicit kernels
// put the output width there and the channels on the 6-row axis.
func convPath(mode convMode, p accel.Conv2DParams) int {
	stride1 := useImplicit(p)
	switch mode {
	case convForward, convBackFilter:
		if stride1 && yTUtil(p.F, p.OutH, p.OutW, p.KW) > pixUtil(p.F) {
			return pathImplicit
		}
		return pathPix
	default:
		// The implicit form correlates dy, zero-padded to the input size, with the whole
		// kernel: for a "valid" convolution with small outputs most of its products hit
		// padding. im2col + GEMM + col2im does only the real products, at the price of
		// the col2im pass.
		// Measured on LeNet-like shapes: im2col wins when most implicit products are
		// wasted and its GEMM is deep and wide enough to run well (conv2 of LeNet-5:
		// 385 vs 434 µs; a valid 3×3, 16→32 channels: 530 vs 894 µs); with a tiny
		// im2col row (LeNet's conv1, 25 wide, 6 deep) the implicit form wins anyway.
		kk := p.KH * p.KW * p.C
		if stride1 && (implicitDataUtil(p) >= 0.6 || kk < 48 || p.F < 8) {
			return pathImplicit
		}
		return pathIm2col
	}
}

// implicitDataUtil is the share of the implicit data gradient's multiply-adds that are
// real products (the rest hit dy's zero padding, junk columns or padding channels).
func implicitDataUtil(p accel.Conv2DParams) float64 {
	g := newImplicitGeom(p.OutH, p.OutW, p.F, p.KH-1-p.PadTop, p.KW-1-p.PadLeft, p.KH, p.KW, p.C, p.H, p.W)
	cols := g.Qpad
	if g.rowTiles {
		cols = p.H * ((p.W + nr - 1) / nr * nr)
	}
	return float64(p.OutH*p.OutW*p.C) / float64(cols*g.Cop)
}

type convMode int

const (
	convForward convMode = iota
	convBackData
	convBackFilter
)

// convJob is one convolution call. Forward splits output rows across parts; the backward
// passes split images (col2im of different images never overlaps; filter gradients are
// summed per part and reduced at the end).
type convJob struct {
	bk     *Backend
	s      *scratch
	mode   convMode
	p      accel.Conv2DParams
	x, w   []float32 // x is dx for convBackData
	bias   []float32
	act    accel.Activation
	y      []float32 // dy for the backward passes
	dw, db []float32
	rows   int // im2col rows per chunk
}

func (bk *Backend) runConv(mode convMode, p accel.Conv2DParams, x, w, bias []float32, act accel.Activation, y, dw, db []float32) {
	kk := p.KH * p.KW * p.C
	P := p.N * p.OutH * p.OutW
	if P == 0 {
		if mode == convBackFilter {
			clear(dw[:kk*p.F])
			if db != nil {
				clear(db[:p.F])
			}
		}
		return
	}
	switch convPath(mode, p) {
	case pathImplicit:
		bk.runImplicit(mode, p, x, w, bias, act, y, dw, db)
		return
	case pathPix:
		bk.runPix(mode, p, x, w, bias, act, y, dw, db)
		return
	}
	s := bk.getScratch()
	j := &s.cj
	*j = convJob{bk: bk, s: s, mode: mode, p: p, x: x, w: w, bias: bias, act: act, y: y, dw: dw, db: db}
	j.rows = max(mr, colChunkFloats/kk/mr*mr)
	parts := 1
	if t := bk.threads(); t > 1 && 2*P*kk*p.F >= parMinFlops {
		units := P
		if mode != convForward {
			units = p.N
		}
		parts = min(t, units)
	}
	if mode == convBackFilter {
		for i := 1; i < parts; i++ {
			grow(&s.part[i].b2, kk*p.F)
		}
	}
	parallel(j, parts, &s.wg)
	if mode == convBackFilter {
		for i := 1; i < parts; i++ {
			part := s.part[i].b2[:kk*p.F]
			for e, v := range part {
				dw[e] += v
			}
		}
		if db != nil {
			sumColumns(db[:p.F], y[:P*p.F], p.F)
		}
	}
	*j = convJob{}
	bk.putScratch(s)
}

func (j *convJob) run(part, parts int) {
	p := j.p
	ps := &j.s.part[part]
	kk := p.KH * p.KW * p.C
	hw := p.OutH * p.OutW
	P := p.N * hw
	switch j.mode {
	case convForward:
		lo, hi := split(P, parts, part, mr)
		ep := epilogue{bias: j.bias, act: j.act}
		for r0 := lo; r0 < hi; r0 += j.rows {
			r1 := min(hi, r0+j.rows)
			col, ldcol := j.cols(ps, r0, r1)
			j.bk.gemmSerial(ps, false, false, r1-r0, p.F, kk, 1, col, ldcol, j.w, p.F, 0, j.y[r0*p.F:], p.F, &ep)
		}
	case convBackData:
		n0, n1 := split(p.N, parts, part, 1)
		img := p.H * p.W * p.C
		clear(j.x[n0*img : n1*img])
		for r0 := n0 * hw; r0 < n1*hw; r0 += j.rows {
			r1 := min(n1*hw, r0+j.rows)
			col := grow(&ps.col, (r1-r0)*kk)
			j.bk.gemmSerial(ps, false, true, r1-r0, kk, p.F, 1, j.y[r0*p.F:], p.F, j.w, p.F, 0, col, kk, nil)
			j.bk.col2im(p, col, r0, r1, j.x)
		}
	case convBackFilter:
		n0, n1 := split(p.N, parts, part, 1)
		dw := j.dw[:kk*p.F]
		if part > 0 {
			dw = ps.b2[:kk*p.F]
		}
		beta := float32(0)
		for r0 := n0 * hw; r0 < n1*hw; r0 += j.rows {
			r1 := min(n1*hw, r0+j.rows)
			col, ldcol := j.cols(ps, r0, r1)
			j.bk.gemmSerial(ps, true, false, kk, p.F, r1-r0, 1, col, ldcol, j.y[r0*p.F:], p.F, beta, dw, p.F, nil)
			beta = 1
		}
		if beta == 0 {
			clear(dw)
		}
	}
}

// cols returns the im2col rows r0..r1 of x and their row stride. A 1×1, stride-1,
// unpadded convolution needs no copy: x already is its im2col matrix.
func (j *convJob) cols(ps *partScratch, r0, r1 int) ([]float32, int) {
	p := j.p
	if p.KH == 1 && p.KW == 1 && p.StrideH == 1 && p.StrideW == 1 && p.PadTop == 0 && p.PadLeft == 0 &&
		p.OutH == p.H && p.OutW == p.W {
		return j.x[r0*p.C:], p.C
	}
	kk := p.KH * p.KW * p.C
	col := grow(&ps.col, (r1-r0)*kk)
	im2col(p, j.x, r0, r1, col)
	return col, kk
}

// im2col writes, for each output position r in [r0, r1) (r = (n·OutH + oy)·OutW + ox), its
// input window in (kh, kw, c) order into col[(r-r0)·KH·KW·C:], zeros for padding.
func im2col(p accel.Conv2DParams, x []float32, r0, r1 int, col []float32) {
	kk := p.KH * p.KW * p.C
	rowLen := p.KW * p.C
	for r := r0; r < r1; r++ {
		ox := r % p.OutW
		oy := (r / p.OutW) % p.OutH
		n := r / (p.OutW * p.OutH)
		dst := col[(r-r0)*kk : (r-r0+1)*kk]
		ix0 := ox*p.StrideW - p.PadLeft
		kw0, kw1 := max(0, -ix0), min(p.KW, p.W-ix0)
		for kh := 0; kh < p.KH; kh++ {
			d := dst[kh*rowLen : (kh+1)*rowLen]
			iy := oy*p.StrideH - p.PadTop + kh
			if iy < 0 || iy >= p.H || kw0 >= kw1 {
				clear(d)
				continue
			}
			clear(d[:kw0*p.C])
			src := ((n*p.H+iy)*p.W + ix0 + kw0) * p.C
			copy(d[kw0*p.C:kw1*p.C], x[src:src+(kw1-kw0)*p.C])
			clear(d[kw1*p.C:])
		}
	}
}

// col2im adds each im2col row r in [r0, r1) of col back into the window of dx it came
// from: one vector row-add per output pixel over the window's rows inside the image.
func (bk *Backend) col2im(p accel.Conv2DParams, col []float32, r0, r1 int, dx []float32) {
	kk := p.KH * p.KW * p.C
	rowLen := p.KW * p.C
	for r := r0; r < r1; r++ {
		ox := r % p.OutW
		oy := (r / p.OutW) % p.OutH
		n := r / (p.OutW * p.OutH)
		ix0 := ox*p.StrideW - p.PadLeft
		kw0, kw1 := max(0, -ix0), min(p.KW, p.W-ix0)
		iy0 := oy*p.StrideH - p.PadTop
		kh0, kh1 := max(0, -iy0), min(p.KH, p.H-iy0)
		if kw0 >= kw1 || kh0 >= kh1 {
			continue
		}
		s := (r-r0)*kk + kh0*rowLen + kw0*p.C
		o := ((n*p.H+iy0+kh0)*p.W + ix0 + kw0) * p.C
		rows, w := kh1-kh0, (kw1-kw0)*p.C
		_ = col[s+(rows-1)*rowLen+w-1]
		_ = dx[o+(rows-1)*p.W*p.C+w-1]
		bk.addRows(rows, w, &col[s], rowLen, &dx[o], p.W*p.C)
	}
}

// sumColumns sets db[f] = Σ_r dy[r·F + f].
func sumColumns(db, dy []float32, f int) {
	clear(db)
	for r := 0; r+f <= len(dy); r += f {
		row := dy[r : r+f]
		for i, v := range row {
			db[i] += v
		}
	}
}
