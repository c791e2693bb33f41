package cpu

import (
	"godl.dev/godl/accel"
)

// colChunkFloats bounds the dcol rows one worker builds at a time, so that the rows and the
// product's packed panels stay in L2.
const colChunkFloats = 16 << 10

// Conv2D computes y = act(conv(x, w) + bias); see accel.Backend.
//
// Mathematically y[N·OutH·OutW, F] = im2col(x)·w, each output pixel's KH·KW·C window
// times the HWIO kernel as a [KH·KW·C, F] matrix; no im2col matrix is built (see convPath
// for the kernels), and bias and activation are applied to each tile of y as it is
// finished.
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
	pathCol2im   = iota // data gradient: dcol = dy·Wᵀ, then col2im
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
		return pathCol2im
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

// col2imJob is a data gradient computed as dcol = dy·Wᵀ (one row of KH·KW·C per output
// pixel, a chunk of pixels at a time) scattered back into dx by col2im. Parts take whole
// images, so their col2im never overlap.
type col2imJob struct {
	bk   *Backend
	s    *scratch
	p    accel.Conv2DParams
	dx   []float32
	wpad []float32 // the kernel as [KH·seg, F] with each KW·C segment zero-padded to seg
	dy   []float32
	seg  int // KW·C rounded up to 8: dcol segments are whole vectors
	rows int // pixels per chunk
}

func (bk *Backend) runConv(mode convMode, p accel.Conv2DParams, x, w, bias []float32, act accel.Activation, y, dw, db []float32) {
	kk := p.KH * p.KW * p.C
	P := p.N * p.OutH * p.OutW
	if P == 0 {
		switch mode {
		case convBackFilter:
			clear(dw[:kk*p.F])
			if db != nil {
				clear(db[:p.F])
			}
		case convBackData:
			clear(x[:p.N*p.H*p.W*p.C])
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
	*j = col2imJob{bk: bk, s: s, p: p, dx: x, dy: y}
	// dcol rows hold KH segments of KW·C values padded with zeros to whole vectors, so
	// col2im adds whole vectors; the padded kernel rows make the GEMM write the zeros.
	j.seg = (p.KW*p.C + 7) / 8 * 8
	kp := p.KH * j.seg
	wp := grow(&s.xpad, kp*p.F)
	clear(wp)
	for kh := 0; kh < p.KH; kh++ {
		copy(wp[kh*j.seg*p.F:], w[kh*p.KW*p.C*p.F:(kh+1)*p.KW*p.C*p.F])
	}
	j.wpad = wp
	j.rows = max(mr, colChunkFloats/kp/mr*mr)
	workers := 1
	if t := bk.threads(); t > 1 && 2*P*kk*p.F >= parMinFlops {
		workers = t
	}
	parallel(j, workers, p.N, &s.call)
	*j = col2imJob{}
	bk.putScratch(s)
}

func (j *col2imJob) run(part, parts, w int) {
	p := j.p
	ps := &j.s.part[w]
	kp := p.KH * j.seg
	hw := p.OutH * p.OutW
	n0, n1 := split(p.N, parts, part, 1)
	img := p.H * p.W * p.C
	clear(j.dx[n0*img : n1*img])
	for r0 := n0 * hw; r0 < n1*hw; r0 += j.rows {
		r1 := min(n1*hw, r0+j.rows)
		col := grow(&ps.col, (r1-r0)*kp)
		j.bk.gemmSerial(ps, false, true, r1-r0, kp, p.F, 1, j.dy[r0*p.F:], p.F, j.wpad, p.F, 0, col, kp, nil)
		j.bk.col2im(p, col, j.seg, r0, r1, j.dx)
	}
}

// col2im adds each im2col row r in [r0, r1) of col back into the window of dx it came
// from: one vector row-add per output pixel over the window's rows inside the image.
//
// Rows of col are KH segments of seg ≥ KW·C values, zero past KW·C. A window wholly inside
// the image along x adds whole segments, zeros included, when the zeros land inside its
// own image (other images may belong to another worker).
func (bk *Backend) col2im(p accel.Conv2DParams, col []float32, seg, r0, r1 int, dx []float32) {
	kk := p.KH * seg
	img := p.H * p.W * p.C
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
		s := (r-r0)*kk + kh0*seg + kw0*p.C
		o := ((n*p.H+iy0+kh0)*p.W + ix0 + kw0) * p.C
		rows, w := kh1-kh0, (kw1-kw0)*p.C
		if kw0 == 0 && kw1 == p.KW && o+(rows-1)*p.W*p.C+seg <= (n+1)*img {
			w = seg
		}
		_ = col[s+(rows-1)*seg+w-1]
		_ = dx[o+(rows-1)*p.W*p.C+w-1]
		bk.addRows(rows, w, &col[s], seg, &dx[o], p.W*p.C)
	}
}
