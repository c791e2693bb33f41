package cpu

import (
	"godl.dev/godl/accel"
)

// Register blocking of the micro-kernel and cache blocking of the packed panels.
const (
	mr = 6   // rows of C per micro-kernel call
	nr = 16  // columns of C per micro-kernel call (two 8-lane vectors)
	kc = 256 // depth of a packed panel: a kc×nr panel of B is 16 KiB and stays in L1
	mc = 96  // rows of A packed at a time: 96×256 floats = 96 KiB, held in L2
	nc = 4096
)

// directBMaxM is the largest m for which an unpacked, row-major B is read in place: with
// few rows of C, packing B would cost as much as the product itself.
const directBMaxM = 48

// parMinFlops is the smallest convolution (in FLOP, ~50 µs on one core) that is split
// across goroutines; below it the hand-off and the duplicated packing cost more than
// they save.
const parMinFlops = 1 << 22

// gemmSpinMinFlops is the smallest product (2·m·n·k, ~30 µs on one core) that Sgemm and
// Dense may split across goroutines, and only while workers may spin (see spinReady): the
// MNIST MLP's 32×~450·~450×128 forward and weight-update products (3.7 MFLOP, 50–60 µs)
// can gain from a spinning worker, which joins within microseconds. Whether they do was
// found to vary from run to run on the development VM (two cores from 0.65 to 1.33 s an
// epoch against 0.72–0.83 s on one), so products below gemmParMinFlops are split only
// when their measured times say it pays (splitChoice).
const gemmSpinMinFlops = 1 << 21

// gemmParMinFlops is the smallest product (~250 µs on one core) for which Sgemm and Dense
// wake parked workers. Waking one was measured at 70–100 µs from the channel send to
// its first chunk on a shared 2-core VM: a parked worker handed a 4–6 MFLOP product
// joined late or never, while the caller paid the wake-up and waited for the late
// worker's chunk (one MLP epoch took 0.80 s on two cores against 0.66 s on one).
// Products this large repay a late worker.
const gemmParMinFlops = 1 << 24

// microKernel computes one mr×nr tile of C:
//
//	for i < mr, j < nr: t[i][j] = Σ_{p<kc} a[p*mr+i] · b[p*ldb+j]
//	c[i*ldc+j] = t[i][j]            when acc is false
//	c[i*ldc+j] += t[i][j]           when acc is true
//
// a is a packed panel of A; b is either a packed panel (ldb == nr) or B itself.
// kc must be at least 1.
type microKernel func(kc int, a, b *float32, ldb int, c *float32, ldc int, acc bool)

// epilogue is applied to each finished tile of C: c = act(c + bias[j]).
type epilogue struct {
	bias []float32 // per column of C, or nil
	act  accel.Activation
}

func (e *epilogue) active() bool { return e != nil && (e.bias != nil || e.act != accel.Linear) }

// Sgemm computes C = alpha·op(A)·op(B) + beta·C; see accel.Backend.
func (bk *Backend) Sgemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm("Sgemm", tA, tB, m, n, k, a, lda, b, ldb, c, ldc)
	bk.gemm(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, epilogue{})
}

// Dense computes y = act(x·w + bias); see accel.Backend.
func (bk *Backend) Dense(m, n, k int, x, w, bias []float32, act accel.Activation, y []float32) {
	checkGemm("Dense", false, false, m, n, k, x, max(k, 1), w, max(n, 1), y, max(n, 1))
	if bias != nil && len(bias) < n {
		panicf("Dense: bias has %d elements, want n = %d", len(bias), n)
	}
	checkAct("Dense", act)
	bk.gemm(false, false, m, n, k, 1, x, max(k, 1), w, max(n, 1), 0, y, max(n, 1), epilogue{bias: bias, act: act})
}

// gemm is Sgemm after argument checks, with an optional fused epilogue.
func (bk *Backend) gemm(tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 || alpha == 0 {
		for i := 0; i < m; i++ {
			row := c[i*ldc : i*ldc+n]
			scaleRow(row, beta)
			if ep.active() {
				bk.epilogue(row, ep.bias, ep.act)
			}
		}
		return
	}
	if tA && n <= nr && m > n {
		bk.gemmSwapped(tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, ep)
		return
	}
	s := bk.getScratch()
	j := &s.gj
	*j = gemmJob{bk: bk, s: s, tA: tA, tB: tB, m: m, n: n, k: k, alpha: alpha,
		a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc, ep: ep}
	workers, chunks := 1, 1
	flops := 2 * m * n * k
	// In the spin range, whether to split is learnt from the calls' times (splitChoice).
	var choice *splitChoice
	t := bk.threads()
	trySplit := t > 1 && flops >= gemmParMinFlops
	if t > 1 && !trySplit && flops >= gemmSpinMinFlops && SplitPolicy(splitPolicy.Load()) == SplitAll && spinReady() {
		choice = splitClass(flops)
		trySplit = choice.split()
	}
	if trySplit {
		tilesM, tilesN := (m+mr-1)/mr, (n+nr-1)/nr
		j.byRows = tilesM > tilesN
		tiles := tilesN
		if j.byRows {
			tiles = tilesM
		}
		// Each chunk packs its own copy of the shared operand's panels: B (small when the
		// rows are split, as k×n with many rows of C) or A (all of it when the columns
		// are split). Row splits get two chunks per worker, slack for a descheduled
		// worker; column splits one.
		workers = min(t, tiles)
		chunks = workers
		if j.byRows {
			chunks = min(tiles, 2*workers)
		}
	}
	if choice != nil {
		start := clock()
		parallel(j, workers, chunks, &s.call)
		choice.record(workers > 1, clock()-start, flops)
	} else {
		parallel(j, workers, chunks, &s.call)
	}
	*j = gemmJob{}
	bk.putScratch(s)
}

// gemmSwapped computes C = alpha·Aᵀ·op(B) + beta·C for a tall, narrow C (n ≤ nr) as
// Cᵀ = op(B)ᵀ·A into scratch, then transposes it into C. Packed directly, each element of
// A would serve a single 16-column panel and packing would cost as much as the product;
// swapped, A (stored k×m, row-major) is read in place as the B operand. This is dl's
// weight gradient xᵀ·g for narrow layers and the filter gradient of few filters.
func (bk *Backend) gemmSwapped(tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep epilogue) {
	s := bk.getScratch()
	ct := grow(&s.ct, n*m)
	bk.gemm(!tB, false, n, m, k, alpha, b, ldb, a, lda, 0, ct, m, epilogue{})
	t := s.part[0].tile[:n]
	for i := 0; i < m; i++ {
		row := c[i*ldc : i*ldc+n]
		if beta == 0 {
			bk.gatherSlice(row, ct[i:], m)
		} else {
			bk.gatherSlice(t, ct[i:], m)
			for j, v := range t {
				row[j] = beta*row[j] + v
			}
		}
	}
	if ep.active() {
		bk.epilogueRows(c, m, n, ldc, ep.bias, ep.act)
	}
	bk.putScratch(s)
}

// gemmJob is one Sgemm call, split by rows or columns of C.
type gemmJob struct {
	bk            *Backend
	s             *scratch
	tA, tB        bool
	m, n, k       int
	alpha, beta   float32
	a, b, c       []float32
	lda, ldb, ldc int
	ep            epilogue
	byRows        bool
}

func (j *gemmJob) run(part, parts, w int) {
	ps := &j.s.part[w]
	if parts == 1 {
		j.bk.gemmSerial(ps, j.tA, j.tB, j.m, j.n, j.k, j.alpha, j.a, j.lda, j.b, j.ldb, j.beta, j.c, j.ldc, &j.ep)
		return
	}
	if j.byRows {
		lo, hi := split(j.m, parts, part, mr)
		if lo >= hi {
			return
		}
		var a []float32
		if j.tA {
			a = j.a[lo:]
		} else {
			a = j.a[lo*j.lda:]
		}
		j.bk.gemmSerial(ps, j.tA, j.tB, hi-lo, j.n, j.k, j.alpha, a, j.lda, j.b, j.ldb, j.beta, j.c[lo*j.ldc:], j.ldc, &j.ep)
		return
	}
	lo, hi := split(j.n, parts, part, nr)
	if lo >= hi {
		return
	}
	var b []float32
	if j.tB {
		b = j.b[lo*j.ldb:]
	} else {
		b = j.b[lo:]
	}
	ep := &j.ep
	if ep.bias != nil {
		ep = &ps.ep
		*ep = epilogue{bias: j.ep.bias[lo:hi], act: j.ep.act}
	}
	j.bk.gemmSerial(ps, j.tA, j.tB, j.m, hi-lo, j.k, j.alpha, j.a, j.lda, b, j.ldb, j.beta, j.c[lo:], j.ldc, ep)
}

// gemmSerial runs the blocked product on the calling goroutine with ps's buffers.
// m, n and k are positive.
func (bk *Backend) gemmSerial(ps *partScratch, tA, tB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int, ep *epilogue) {
	if beta != 0 && beta != 1 {
		for i := 0; i < m; i++ {
			scaleRow(c[i*ldc:i*ldc+n], beta)
		}
	}
	first := beta == 0
	packAll := tB || m > directBMaxM
	hasEp := ep.active()
	kern := bk.kern
	for jc := 0; jc < n; jc += nc {
		ncb := min(nc, n-jc)
		for pc := 0; pc < k; pc += kc {
			kcb := min(kc, k-pc)
			acc := !(first && pc == 0)
			last := pc+kcb == k
			var bp []float32
			if packAll {
				bp = packB(grow(&ps.b, ((ncb+nr-1)/nr)*nr*kcb), tB, b, ldb, pc, jc, kcb, ncb, bk.packBT)
			} else if ncb%nr != 0 {
				// Only the ragged last panel is packed (zero-padded to nr columns).
				full := ncb - ncb%nr
				bp = packB(grow(&ps.b, nr*kcb), tB, b, ldb, pc, jc+full, kcb, ncb-full, bk.packBT)
			}
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				ap := packA(grow(&ps.a, ((mcb+mr-1)/mr)*mr*kcb), tA, a, lda, ic, pc, mcb, kcb, alpha, bk.packAT)
				for jr := 0; jr < ncb; jr += nr {
					nrb := min(nr, ncb-jr)
					var bptr *float32
					bstride := nr
					switch {
					case packAll:
						bptr = &bp[(jr/nr)*nr*kcb]
					case nrb < nr:
						bptr = &bp[0]
					default:
						bptr = &b[pc*ldb+jc+jr]
						bstride = ldb
					}
					for ir := 0; ir < mcb; ir += mr {
						mrb := min(mr, mcb-ir)
						aptr := &ap[(ir/mr)*mr*kcb]
						ci := (ic+ir)*ldc + jc + jr
						if mrb == mr && nrb == nr {
							kern(kcb, aptr, bptr, bstride, &c[ci], ldc, acc)
							if last && hasEp {
								bk.epilogueTile(c[ci:], ldc, mr, nr, ep, jc+jr)
							}
							continue
						}
						t := ps.tile[:]
						kern(kcb, aptr, bptr, bstride, &t[0], nr, false)
						_ = c[ci+(mrb-1)*ldc+nrb-1]
						if acc {
							bk.addRows(mrb, nrb, &t[0], nr, &c[ci], ldc)
						} else {
							for i := 0; i < mrb; i++ {
								copy(c[ci+i*ldc:ci+i*ldc+nrb], t[i*nr:i*nr+nrb])
							}
						}
						if last && hasEp {
							bk.epilogueTile(c[ci:], ldc, mrb, nrb, ep, jc+jr)
						}
					}
				}
			}
		}
	}
}

// epilogueTile applies ep to the rows×cols tile at c whose first column is column j0 of C.
func (bk *Backend) epilogueTile(c []float32, ldc, rows, cols int, ep *epilogue, j0 int) {
	var bias []float32
	if ep.bias != nil {
		bias = ep.bias[j0 : j0+cols]
	}
	bk.epilogueRows(c, rows, cols, ldc, bias, ep.act)
}

// packA copies the mcb×kcb block of op(A) at (ic, pc), times alpha, into panels of mr rows:
// panel q holds dst[q*mr*kcb + p*mr + i] = alpha·op(A)[ic+q*mr+i][pc+p], zero past row mcb.
func packA(dst []float32, tA bool, a []float32, lda, ic, pc, mcb, kcb int, alpha float32, packT packAT6Func) []float32 {
	for q := 0; q*mr < mcb; q++ {
		panel := dst[q*mr*kcb : (q+1)*mr*kcb]
		rows := min(mr, mcb-q*mr)
		i0 := ic + q*mr
		if tA && rows == mr {
			_ = a[(pc+kcb-1)*lda+i0+mr-1]
			packT(kcb, &a[pc*lda+i0], lda, alpha, &panel[0])
			continue
		}
		if tA {
			for p := 0; p < kcb; p++ {
				src := a[(pc+p)*lda+i0 : (pc+p)*lda+i0+rows]
				d := panel[p*mr : p*mr+mr]
				for i, v := range src {
					d[i] = alpha * v
				}
				for i := rows; i < mr; i++ {
					d[i] = 0
				}
			}
			continue
		}
		if rows == mr {
			packA6(panel, a, (i0*lda)+pc, lda, kcb, alpha)
			continue
		}
		for i := 0; i < rows; i++ {
			src := a[(i0+i)*lda+pc : (i0+i)*lda+pc+kcb]
			for p, v := range src {
				panel[p*mr+i] = alpha * v
			}
		}
		for i := rows; i < mr; i++ {
			for p := 0; p < kcb; p++ {
				panel[p*mr+i] = 0
			}
		}
	}
	return dst
}

// packA6 interleaves six rows of kcb elements, starting at a[o] with row stride lda, into
// panel[p*mr+i] = alpha·a[o+i*lda+p].
func packA6(panel, a []float32, o, lda, kcb int, alpha float32) {
	r0 := a[o : o+kcb]
	r1 := a[o+lda : o+lda+kcb]
	r2 := a[o+2*lda : o+2*lda+kcb]
	r3 := a[o+3*lda : o+3*lda+kcb]
	r4 := a[o+4*lda : o+4*lda+kcb]
	r5 := a[o+5*lda : o+5*lda+kcb]
	panel = panel[:kcb*mr]
	if alpha == 1 {
		for p := range r0 {
			d := (*[mr]float32)(panel[p*mr:])
			d[0], d[1], d[2], d[3], d[4], d[5] = r0[p], r1[p], r2[p], r3[p], r4[p], r5[p]
		}
		return
	}
	for p := range r0 {
		d := (*[mr]float32)(panel[p*mr:])
		d[0], d[1], d[2], d[3], d[4], d[5] = alpha*r0[p], alpha*r1[p], alpha*r2[p], alpha*r3[p], alpha*r4[p], alpha*r5[p]
	}
}

// packB copies the kcb×ncb block of op(B) at (pc, jc) into panels of nr columns:
// panel q holds dst[q*nr*kcb + p*nr + j] = op(B)[pc+p][jc+q*nr+j], zero past column ncb.
func packB(dst []float32, tB bool, b []float32, ldb, pc, jc, kcb, ncb int, packT packBT16Func) []float32 {
	for q := 0; q*nr < ncb; q++ {
		panel := dst[q*nr*kcb : (q+1)*nr*kcb]
		cols := min(nr, ncb-q*nr)
		j0 := jc + q*nr
		if !tB {
			for p := 0; p < kcb; p++ {
				d := panel[p*nr : p*nr+nr]
				copy(d, b[(pc+p)*ldb+j0:(pc+p)*ldb+j0+cols])
				for j := cols; j < nr; j++ {
					d[j] = 0
				}
			}
			continue
		}
		if cols == nr {
			// Whole 8-deep blocks by register transposes, the rest element by element.
			k8 := kcb / 8
			_ = b[(j0+nr-1)*ldb+pc+kcb-1]
			if k8 > 0 {
				packT(k8, &b[j0*ldb+pc], ldb, &panel[0])
			}
			for j := 0; j < nr; j++ {
				for p := 8 * k8; p < kcb; p++ {
					panel[p*nr+j] = b[(j0+j)*ldb+pc+p]
				}
			}
			continue
		}
		for j := 0; j < cols; j++ {
			src := b[(j0+j)*ldb+pc : (j0+j)*ldb+pc+kcb]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
		for j := cols; j < nr; j++ {
			for p := 0; p < kcb; p++ {
				panel[p*nr+j] = 0
			}
		}
	}
	return dst
}

// scaleRow sets row = beta·row; beta == 0 writes zeros without reading (NaNs vanish).
func scaleRow(row []float32, beta float32) {
	switch beta {
	case 1:
	case 0:
		clear(row)
	default:
		for i := range row {
			row[i] *= beta
		}
	}
}
