package cpu

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"godl.dev/godl/accel"
	"godl.dev/godl/accel/acceltest"
)

// benchGemm lists the products one training step of the MLP and LeNet-5 runs at batch 32.
var benchGemm = []struct {
	name    string
	tA, tB  bool
	m, n, k int
}{
	{"mlp/fc1", false, false, 32, 128, 784},
	{"mlp/fc2", false, false, 32, 10, 128},
	{"mlp/fc1.dW", true, false, 784, 128, 32},
	{"mlp/fc2.dW", true, false, 128, 10, 32},
	{"mlp/fc2.dX", false, true, 32, 128, 10},
	{"mlp/fc1.dX", false, true, 32, 784, 128},
	{"lenet/conv1", false, false, 25088, 6, 25},
	{"lenet/conv1.dW", true, false, 25, 6, 25088},
	{"lenet/conv2", false, false, 3200, 16, 150},
	{"lenet/conv2.dW", true, false, 150, 16, 3200},
	{"lenet/conv2.dcol", false, true, 3200, 150, 16},
	{"lenet/fc1", false, false, 32, 120, 400},
	{"lenet/fc1.dX", false, true, 32, 400, 120},
	{"square256", false, false, 256, 256, 256},
}

func randSlice(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = rand.Float32()*2 - 1
	}
	return s
}

type benchBackend struct {
	name    string
	b       *Backend
	threads int
}

func benchBackends() []benchBackend {
	var out []benchBackend
	for _, th := range []int{1, 2} {
		b := New()
		b.SetMaxThreads(th)
		out = append(out, benchBackend{fmt.Sprintf("%s/p%d", b.Name(), th), b, th})
	}
	g := NewGeneric()
	g.SetMaxThreads(1)
	out = append(out, benchBackend{"cpu/generic/p1", g, 1})
	return out
}

func BenchmarkSgemm(b *testing.B) {
	for _, c := range benchGemm {
		a := randSlice(c.m * c.k)
		bb := randSlice(c.k * c.n)
		cc := randSlice(c.m * c.n)
		lda, ldb := c.k, c.n
		if c.tA {
			lda = c.m
		}
		if c.tB {
			ldb = c.k
		}
		for _, be := range benchBackends() {
			b.Run(c.name+"/"+be.name, func(b *testing.B) {
				cpuLoop(b, be.threads, 2*float64(c.m*c.n*c.k), func() {
					be.b.Sgemm(c.tA, c.tB, c.m, c.n, c.k, 1, a, lda, bb, ldb, 0, cc, c.n)
				})
			})
		}
	}
}

var benchConv = []struct {
	name string
	p    accel.Conv2DParams
}{
	{"lenet/conv1", acceltest.ConvParams(32, 28, 28, 1, 5, 5, 6, 1, 1, true)},
	{"lenet/conv2", acceltest.ConvParams(32, 14, 14, 6, 5, 5, 16, 1, 1, false)},
}

func BenchmarkConv2D(b *testing.B) {
	for _, c := range benchConv {
		p := c.p
		x := randSlice(p.N * p.H * p.W * p.C)
		w := randSlice(p.KH * p.KW * p.C * p.F)
		y := randSlice(p.N * p.OutH * p.OutW * p.F)
		bias := randSlice(p.F)
		flops := 2 * float64(p.N*p.OutH*p.OutW*p.F*p.KH*p.KW*p.C)
		for _, be := range benchBackends() {
			b.Run(c.name+"/fwd/"+be.name, func(b *testing.B) {
				cpuLoop(b, be.threads, flops, func() { be.b.Conv2D(p, x, w, bias, accel.ReLU, y) })
			})
			b.Run(c.name+"/bwdData/"+be.name, func(b *testing.B) {
				cpuLoop(b, be.threads, flops, func() { be.b.Conv2DBackwardData(p, y, w, x) })
			})
			b.Run(c.name+"/bwdFilter/"+be.name, func(b *testing.B) {
				cpuLoop(b, be.threads, flops, func() { be.b.Conv2DBackwardFilter(p, x, y, w, bias) })
			})
		}
	}
}

func BenchmarkPool2D(b *testing.B) {
	p := acceltest.PoolParams(32, 28, 28, 6, 2, 2, 2, 2, false)
	x := randSlice(p.N * p.H * p.W * p.C)
	y := randSlice(p.N * p.OutH * p.OutW * p.C)
	arg := make([]int32, len(y))
	for _, be := range benchBackends() {
		b.Run("lenet/pool1/max/"+be.name, func(b *testing.B) {
			cpuLoop(b, be.threads, 0, func() { be.b.MaxPool2D(p, x, y, arg) })
		})
		b.Run("lenet/pool1/maxBwd/"+be.name, func(b *testing.B) {
			cpuLoop(b, be.threads, 0, func() { be.b.MaxPool2DBackward(p, y, arg, x) })
		})
	}
}

func BenchmarkSoftmaxCrossEntropy(b *testing.B) {
	logits, probs, grad := randSlice(320), make([]float32, 320), make([]float32, 320)
	labels := make([]int32, 32)
	bk := New()
	for b.Loop() {
		bk.SoftmaxCrossEntropy(32, 10, logits, labels, probs, grad)
	}
}
