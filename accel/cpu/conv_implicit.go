package cpu

import (
	"godl.dev/godl/accel"
)

// Stride-1 convolutions run as implicit GEMMs in the transposed ("H·W on the vector axis")
// orientation, without an im2col matrix:
//
//   - the input of one image is copied into a zero-padded planar buffer src[c][Hp][Wp],
//     where Hp = OutH+KH-1 and Wp = OutW+KW-1;
//   - output position q = oy·Wp + ox (ox < Wp, so each row carries KW-1 junk columns) is
//     then column q of yT[F][Q] = Wᵀ[F][K] · B[K][Q] with B[p][q] = src[off[p] + q] and
//     off[(kh,kw,c)] = c·Hp·Wp + kh·Wp + kw: each row of B is the padded image shifted, so
//     the micro-kernel reads it in place through the offset table;
//   - yT is transposed into NHWC with the bias and activation applied on the way.
//
// The data gradient is the same computation on dy with the kernel flipped and its channel
// axes swapped (a "full" correlation). The filter gradient dWᵀ[f][p] = Σ_q dyT[f][q] ·
// src[off[p]+q] runs on a 6×2 dot-product kernel over q.

// implicitGeom is the shape of one implicit convolution: src[Hs][Ws][Cs] NHWC images padded
// by (pt, pl) and correlated with a KH×KW kernel into Co output channels of Ho×Wo.
type implicitGeom struct {
	Hs, Ws, Cs, pt, pl int
	KH, KW, Co         int
	Ho, Wo             int
	Hp, Wp, plane      int  // padded planar source
	K, Q, Qpad, Cop    int  // GEMM depth, output columns (with junk), padded to nr, Co padded to mr
	Qy                 int  // row stride of yT: Qpad, or more when tiles are row-aligned
	rowTiles           bool // tiles start at each output row (fewer junk columns)
	srcLen             int  // planar buffer length, including slack read by junk columns
}

func newImplicitGeom(Hs, Ws, Cs, pt, pl, KH, KW, Co, Ho, Wo int) implicitGeom {
	g := implicitGeom{Hs: Hs, Ws: Ws, Cs: Cs, pt: pt, pl: pl, KH: KH, KW: KW, Co: Co, Ho: Ho, Wo: Wo}
	g.Hp, g.Wp = Ho+KH-1, Wo+KW-1
	g.plane = g.Hp * g.Wp
	g.K = KH * KW * Cs
	g.Q = Ho * g.Wp
	g.Qpad = (g.Q + nr - 1) / nr * nr
	g.Cop = (Co + mr - 1) / mr * mr
	maxOff := (Cs-1)*g.plane + (KH-1)*g.Wp + KW - 1
	// Tiles aligned to output rows waste fewer columns when a row is a little short of a
	// multiple of nr (a 14-wide row: 16 of 16 vs 18 of 18·k linear columns).
	tpr := (Wo + nr - 1) / nr
	g.Qy = g.Qpad
	if Ho*tpr*nr < g.Qpad {
		g.rowTiles = true
		g.Qy = max(g.Qpad, ((Ho-1)*g.Wp+tpr*nr+nr-1)/nr*nr)
	}
	g.srcLen = max(Cs*g.plane, maxOff+g.Qy)
	return g
}

// offsets fills off[(c·KH+kh)·KW+kw] = c·plane + kh·Wp + kw. The GEMM depth runs
// channel-major, so consecutive rows of B are neighbours in the planar buffer and the
// rows a tile reads stay within a few cache lines per channel.
func (g *implicitGeom) offsets(off []int) {
	for c := 0; c < g.Cs; c++ {
		for kh := 0; kh < g.KH; kh++ {
			for kw := 0; kw < g.KW; kw++ {
				off[(c*g.KH+kh)*g.KW+kw] = c*g.plane + kh*g.Wp + kw
			}
		}
	}
}

// planar copies image n of src (NHWC) into the zero-padded planar buffer dst.
func (g *implicitGeom) planar(src []float32, n int, dst []float32, bk *Backend) {
	dst = dst[:g.srcLen]
	clear(dst)
	for y := 0; y < g.Hs; y++ {
		yy := y + g.pt
		if yy >= g.Hp {
			break
		}
		r0 := (n*g.Hs + y) * g.Ws * g.Cs
		xmax := min(g.Ws, g.Wp-g.pl)
		if g.Cs == 1 {
			copy(dst[yy*g.Wp+g.pl:yy*g.Wp+g.pl+xmax], src[r0:r0+xmax])
			continue
		}
		bk.toPlanar(src[r0:], xmax, g.Cs, g.Cs, dst[yy*g.Wp+g.pl:], g.plane)
	}
}

// implicitJob is one implicit convolution call, split by images.
type implicitJob struct {
	bk    *Backend
	s     *scratch
	mode  convMode
	g     implicitGeom
	src   []float32 // x (forward, filter) or dy (data)
	dy    []float32 // filter gradient only
	apack []float32 // packed Aᵀ panels (forward, data)
	offs  []int
	bias  []float32
	act   accel.Activation
	dst   []float32 // y or dx
	n     int
	ldw   int // row stride of the dWᵀ partials
	dbCol int // column of the dWᵀ partials that accumulates the bias gradient
}

// useImplicit reports whether p runs as an implicit GEMM: stride 1 and a kernel larger
// than 1×1 (a 1×1 convolution is a plain GEMM on x itself).
func useImplicit(p accel.Conv2DParams) bool {
	return p.StrideH == 1 && p.StrideW == 1 && p.KH*p.KW > 1
}

func (bk *Backend) runImplicit(mode convMode, p accel.Conv2DParams, x, w, bias []float32, act accel.Activation, y, dw, db []float32) {
	var g implicitGeom
	if mode == convBackData {
		g = newImplicitGeom(p.OutH, p.OutW, p.F, p.KH-1-p.PadTop, p.KW-1-p.PadLeft, p.KH, p.KW, p.C, p.H, p.W)
	} else {
		g = newImplicitGeom(p.H, p.W, p.C, p.PadTop, p.PadLeft, p.KH, p.KW, p.F, p.OutH, p.OutW)
	}
	s := bk.getScratch()
	j := &s.ij
	*j = implicitJob{bk: bk, s: s, mode: mode, g: g, bias: bias, act: act, n: p.N}
	offs := s.offs
	if cap(offs) < g.K {
		offs = make([]int, g.K+g.K/4)
	}
	s.offs = offs[:g.K]
	j.offs = s.offs
	g.offsets(j.offs)
	switch mode {
	case convForward:
		j.src, j.dst = x, y
		// A[f][(c,kh,kw)] = w[((kh·KW+kw)·C+c)·F+f], packed in panels of mr filters.
		ap := grow(&s.col, g.Cop*g.K)
		clear(ap)
		for c := 0; c < p.C; c++ {
			for kh := 0; kh < p.KH; kh++ {
				for kw := 0; kw < p.KW; kw++ {
					pp := (c*p.KH+kh)*p.KW + kw
					src := w[((kh*p.KW+kw)*p.C+c)*p.F:][:p.F]
					for f, v := range src {
						ap[(f/mr)*mr*g.K+pp*mr+f%mr] = v
					}
				}
			}
		}
		j.apack = ap
	case convBackData:
		j.src, j.dst = y, x
		// A[c][(f,kh,kw)] = w[((KH-1-kh)·KW + KW-1-kw)·C + c)·F + f]: flipped, in/out swapped.
		ap := grow(&s.col, g.Cop*g.K)
		clear(ap)
		for kh := 0; kh < p.KH; kh++ {
			for kw := 0; kw < p.KW; kw++ {
				for c := 0; c < p.C; c++ {
					src := w[(((p.KH-1-kh)*p.KW+p.KW-1-kw)*p.C+c)*p.F:][:p.F]
					q, i := c/mr, c%mr
					for f, v := range src {
						pp := (f*p.KH+kh)*p.KW + kw
						ap[q*mr*g.K+pp*mr+i] = v
					}
				}
			}
		}
		j.apack = ap
	case convBackFilter:
		j.src, j.dy = x, y
		j.dbCol = g.K + g.K&1 // after the dummy column an odd K's last pair writes
		j.ldw = j.dbCol + 2
	}
	workers, chunks := 1, p.N
	if t := bk.threads(); t > 1 && 2*p.N*p.OutH*p.OutW*g.K*p.F >= parMinFlops {
		workers = min(t, p.N)
	}
	size := g.Cop * j.ldw
	if mode == convBackFilter {
		// Per-chunk partial sums in a thread-independent number of chunks, reduced in
		// order: the same bits on any number of cores (see runPix).
		chunks = min(p.N, maxPartials)
		clear(grow(&s.partial, chunks*size))
	}
	parallel(j, workers, chunks, &s.call)
	if mode == convBackFilter {
		dw = dw[:g.K*p.F]
		for c := 0; c < p.C; c++ {
			for kh := 0; kh < p.KH; kh++ {
				for kw := 0; kw < p.KW; kw++ {
					pp := (c*p.KH+kh)*p.KW + kw
					o := ((kh*p.KW+kw)*p.C + c) * p.F
					for f := 0; f < p.F; f++ {
						var sum float32
						for c := 0; c < chunks; c++ {
							sum += s.partial[c*size+f*j.ldw+pp]
						}
						dw[o+f] = sum
					}
				}
			}
		}
		if db != nil {
			for f := 0; f < p.F; f++ {
				var sum float32
				for c := 0; c < chunks; c++ {
					sum += s.partial[c*size+f*j.ldw+j.dbCol]
				}
				db[f] = sum
			}
		}
	}
	*j = implicitJob{}
	bk.putScratch(s)
}

func (j *implicitJob) run(part, parts, w int) {
	g := &j.g
	ps := &j.s.part[w]
	n0, n1 := split(j.n, parts, part, 1)
	src := grow(&ps.col, g.srcLen)
	switch j.mode {
	case convForward, convBackData:
		yT := grow(&ps.t, max(g.Cop, 8)*g.Qy) // 8 rows for the transposing scatter
		for n := n0; n < n1; n++ {
			g.planar(j.src, n, src, j.bk)
			j.bk.implicitGemm(g, j.apack, src, j.offs, yT)
			j.bk.scatterImage(ps, g, yT, n, j.dst, j.bias, j.act)
		}
	case convBackFilter:
		// dy of one image, transposed to [Cop][Qpad] with zeros in the junk columns and
		// padding rows, against the rows of the implicit B.
		dyT := grow(&ps.t, g.Cop*g.Qpad)
		clear(dyT)
		dwT := j.s.partial[part*g.Cop*j.ldw : (part+1)*g.Cop*j.ldw] // this chunk's, zeroed
		dot := j.bk.dot
		F := g.Co
		ones := grow(&ps.a, g.Qpad)
		for i := range ones {
			ones[i] = 1
		}
		for n := n0; n < n1; n++ {
			g.planar(j.src, n, src, j.bk)
			for oy := 0; oy < g.Ho; oy++ {
				base := ((n*g.Ho + oy) * g.Wo) * F
				j.bk.toPlanar(j.dy[base:], g.Wo, F, F, dyT[oy*g.Wp:], g.Qpad)
			}
			for f0 := 0; f0 < g.Cop; f0 += mr {
				a := &dyT[f0*g.Qpad]
				for pp := 0; pp < g.K; pp += 2 {
					o0, o1 := j.offs[pp], j.offs[pp]
					if pp+1 < g.K {
						o1 = j.offs[pp+1]
					}
					dot(g.Qpad, a, g.Qpad, &src[o0], &src[o1], &dwT[f0*j.ldw+pp], j.ldw)
				}
				// Σ_q dy: the bias gradient, in the two columns after the kernel's.
				dot(g.Qpad, a, g.Qpad, &ones[0], &ones[0], &dwT[f0*j.ldw+j.dbCol], j.ldw)
			}
		}
	}
}

// implicitGemm computes yT[Cop][Qy] = A · B for one image whose padded planar copy is src:
// every column when tiles run linearly, the first ⌈Wo/nr⌉·nr columns of each output row
// when they are row-aligned.
func (bk *Backend) implicitGemm(g *implicitGeom, apack, src []float32, offs []int, yT []float32) {
	if !g.rowTiles {
		for jr := 0; jr < g.Qpad; jr += nr {
			bk.implicitTile(g, apack, src, offs, yT, jr)
		}
		return
	}
	for oy := 0; oy < g.Ho; oy++ {
		for ox := 0; ox < g.Wo; ox += nr {
			bk.implicitTile(g, apack, src, offs, yT, oy*g.Wp+ox)
		}
	}
}

// implicitTile computes the columns jr..jr+nr-1 of yT for all channel panels.
func (bk *Backend) implicitTile(g *implicitGeom, apack, src []float32, offs []int, yT []float32, jr int) {
	kern := bk.offB
	for q := 0; q < g.Cop/mr; q++ {
		panel := apack[q*mr*g.K:]
		for pc := 0; pc < g.K; pc += kc {
			kcb := min(kc, g.K-pc)
			kern(kcb, &panel[pc*mr], &src[jr], &offs[pc], &yT[q*mr*g.Qy+jr], g.Qy, pc > 0)
		}
	}
}

// scatterImage writes act(yT + bias) for image n into dst (NHWC, Ho×Wo×Co), skipping
// junk columns. With at most 8 channels whole 8-pixel blocks go through register
// transposes; the rest, channel by channel.
func (bk *Backend) scatterImage(ps *partScratch, g *implicitGeom, yT []float32, n int, dst, bias []float32, act accel.Activation) {
	Co := g.Co
	relu := act == accel.ReLU
	b8 := &ps.bias8
	*b8 = [8]float32{}
	if bias != nil && Co <= 8 {
		copy(b8[:], bias[:Co])
	}
	for oy := 0; oy < g.Ho; oy++ {
		row := dst[(n*g.Ho+oy)*g.Wo*Co : (n*g.Ho+oy+1)*g.Wo*Co]
		n8 := 0
		if Co <= 8 {
			n8 = g.Wo / 8
			// The last block's spill must stay inside this image: later rows and the
			// tail are written after it, other images may belong to another goroutine.
			left := (g.Ho - oy) * g.Wo * Co
			for n8 > 0 && (8*n8-1)*Co+8 > left {
				n8--
			}
			if n8 > 0 {
				bk.tOut(n8, &yT[oy*g.Wp], g.Qy, &row[0], Co, &b8[0], relu)
			}
			// A ragged end as one more block over the last 8 pixels, rewriting some
			// with the same values.
			if n8 > 0 && 8*n8 < g.Wo && (g.Wo-1)*Co+8 <= left {
				bk.tOut(1, &yT[oy*g.Wp+g.Wo-8], g.Qy, &row[(g.Wo-8)*Co], Co, &b8[0], relu)
				n8 = (g.Wo + 7) / 8 // the whole row is done
			}
		}
		if rest := g.Wo - 8*n8; rest > 0 {
			for f := 0; f < Co; f++ {
				b := float32(0)
				if bias != nil {
					b = bias[f]
				}
				bk.scatter(rest, &yT[f*g.Qy+oy*g.Wp+8*n8], &row[8*n8*Co+f], Co, b, relu)
			}
		}
		if act != accel.Linear && !relu {
			bk.applyAct(row, act)
		}
	}
}

// toPlanar copies n pixels of nch channels, pixel stride pix, from src (NHWC) into the
// rows dst[c·ld:], c < nch: by 8×8 register transposes where the eight-lane reads stay
// inside src, by strided gathers for the rest.
func (bk *Backend) toPlanar(src []float32, n, pix, nch int, dst []float32, ld int) {
	for c0 := 0; c0 < nch; c0 += 8 {
		cn := min(8, nch-c0)
		n8 := n / 8
		for n8 > 0 && (8*n8-1)*pix+c0+8 > len(src) {
			n8--
		}
		if n8 > 0 {
			_ = dst[(cn-1+c0)*ld+8*n8-1]
			bk.tIn(n8, &src[c0], pix, &dst[c0*ld], ld, cn)
			// A ragged end as one more block over the last 8 pixels.
			if 8*n8 < n && (n-1)*pix+c0+8 <= len(src) {
				_ = dst[(cn-1+c0)*ld+n-1]
				bk.tIn(1, &src[(n-8)*pix+c0], pix, &dst[c0*ld+n-8], ld, cn)
				n8 = (n + 7) / 8 // all pixels are done
			}
		}
		if rest := n - 8*n8; rest > 0 {
			for c := c0; c < c0+cn; c++ {
				bk.gatherSlice(dst[c*ld+8*n8:c*ld+n], src[8*n8*pix+c:], pix)
			}
		}
	}
}

// gatherSlice sets dst[i] = src[i·stride], checking the bounds once.
func (bk *Backend) gatherSlice(dst, src []float32, stride int) {
	if len(dst) == 0 {
		return
	}
	_ = src[(len(dst)-1)*stride]
	bk.gather(len(dst), &src[0], stride, &dst[0])
}
