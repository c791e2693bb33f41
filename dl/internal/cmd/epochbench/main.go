// Command epochbench trains the book's two reference models (the MLP of chapter 2 and
// LeNet-5 of chapter 3) on real MNIST with dl and prints machine-readable timings.
//
// Usage:
//
//	go run ./dl/internal/cmd/epochbench [-model mlp|lenet5|both] [-epochs 1] [-repeats 1] [-procs 1,2]
//	go run ./dl/internal/cmd/epochbench -full        # 5 epochs each with validation: the accuracy check
//	go run ./dl/internal/cmd/epochbench -rss         # one LeNet-5 epoch, then peak RSS (VmHWM)
//	go run ./dl/internal/cmd/epochbench -interleave 100 -model mlp -epochs 3
//	    # 1 and 2 cores in turns of 100 batches within the same epochs (paired timings)
//
// Output lines:
//
//	RESULT model=lenet5 procs=1 batch=32 repeat=0 epoch=1 epoch_s=1.234 loss=... accuracy=... test_acc=...
//	SUMMARY model=lenet5 procs=1 n=3 epoch_s_median=...
//	RSS model=lenet5 vmhwm_mb=...
//	INTERLEAVE model=mlp batches=100 pairs=... step_us_1core=... step_us_2cores=... ratio_median=...
//
// Epoch times on a shared virtual machine drift by tens of percent from one second to the
// next (the host's other tenants), more than the difference between one and two cores.
// -interleave compares the two under the same conditions: it switches GOMAXPROCS between 1
// and 2 every few batches of the same training run and reports the median ratio of
// neighbouring turns. It understates what two cores gain: accel's spinning workers, unable
// to run while GOMAXPROCS is 1, see each switch as a stall and stop spinning for a while,
// so products below 16 MFLOP are mostly not split. It measures the rest (prefetched batches,
// large products) against one core.
//
// The MNIST files are found as datasets.MNISTDir says (MNIST_DIR or the Go module cache).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"godl.dev/godl/accel"
	"godl.dev/godl/dl"
	"godl.dev/godl/dl/datasets"
	"godl.dev/godl/dl/layers"
	"godl.dev/godl/dl/losses"
	"godl.dev/godl/dl/metrics"
	"godl.dev/godl/dl/optimizers"
)

func mlp() *dl.Sequential {
	return dl.NewSequential(
		layers.Flatten(),
		layers.Dense(128, layers.ReLU),
		layers.Dense(10, layers.Softmax),
	)
}

func lenet5() *dl.Sequential {
	return dl.NewSequential(
		layers.Conv2D(6, 5, layers.Same, layers.ReLU),
		layers.MaxPooling2D(2),
		layers.Conv2D(16, 5, layers.ReLU),
		layers.MaxPooling2D(2),
		layers.Flatten(),
		layers.Dense(120, layers.ReLU),
		layers.Dense(84, layers.ReLU),
		layers.Dense(10, layers.Softmax),
	)
}

func main() {
	model := flag.String("model", "both", "mlp, lenet5 or both")
	epochs := flag.Int("epochs", 1, "epochs per run")
	repeats := flag.Int("repeats", 1, "fresh models trained per setting")
	procs := flag.String("procs", "1,2", "comma-separated GOMAXPROCS values")
	full := flag.Bool("full", false, "train 5 epochs with validation and print the Keras log")
	rss := flag.Bool("rss", false, "train one LeNet-5 epoch and print peak RSS")
	seed := flag.Int64("seed", 1, "global seed")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile")
	interleave := flag.Int("interleave", 0, "switch between 1 and 2 cores every this many batches, and compare them")
	flag.Parse()

	train, test, err := datasets.LoadMNIST("")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("# backend %s, GOMAXPROCS %d, NumCPU %d\n", accel.Default().Name(), runtime.GOMAXPROCS(0), runtime.NumCPU())
	x, xTest := train.X.DivScalar(255), test.X.DivScalar(255)
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	names := []string{"mlp", "lenet5"}
	if *model != "both" {
		names = []string{*model}
	}
	if *rss {
		dl.SetSeed(*seed)
		m := lenet5()
		m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
		m.Fit(x.Reshape(-1, 28, 28, 1), train.Y, dl.Verbose(0))
		fmt.Printf("RSS model=lenet5 vmhwm_mb=%.1f\n", vmHWM())
		return
	}
	if *interleave > 0 {
		for _, name := range names {
			interleaved(name, *interleave, *epochs, *seed, x, xTest, train.Y)
		}
		return
	}
	if *full {
		for _, name := range names {
			dl.SetSeed(*seed)
			m, xs, xt := build(name, x, xTest)
			m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
			fmt.Printf("== %s, SGD lr 0.01, batch 32, 5 epochs\n", name)
			t0 := time.Now()
			h := m.Fit(xs, train.Y, dl.Epochs(5), dl.ValidationData(xt, test.Y))
			m.Summary()
			fmt.Printf("FULL model=%s val_accuracy=%.4f val_loss=%.4f wall_s=%.1f\n", name,
				h.Last("val_accuracy"), h.Last("val_loss"), time.Since(t0).Seconds())
		}
		return
	}
	for _, p := range strings.Split(*procs, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "epochbench: bad -procs entry %q\n", p)
			os.Exit(2)
		}
		runtime.GOMAXPROCS(n)
		for _, name := range names {
			var times []float64
			for r := 0; r < *repeats; r++ {
				dl.SetSeed(*seed + int64(r))
				m, xs, xt := build(name, x, xTest)
				m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
				for ep := 1; ep <= *epochs; ep++ {
					meter := startMeter()
					h := m.Fit(xs, train.Y, dl.Verbose(0))
					dt, cpu, others := meter.stop()
					times = append(times, dt)
					acc := m.Evaluate(xt, test.Y, dl.Verbose(0), dl.BatchSize(1000))
					fmt.Printf("RESULT model=%s procs=%d batch=32 repeat=%d epoch=%d epoch_s=%.3f loss=%.4f accuracy=%.4f test_acc=%.4f cpu_s=%.3f others=%.2f\n",
						name, n, r, ep, dt, h.Last("loss"), h.Last("accuracy"), acc[1], cpu, others)
				}
			}
			sort.Float64s(times)
			fmt.Printf("SUMMARY model=%s procs=%d batch=32 n=%d epoch_s_median=%.3f min=%.3f max=%.3f\n",
				name, n, len(times), times[len(times)/2], times[0], times[len(times)-1])
		}
	}
}

// interleaved trains model name for epochs epochs, switching GOMAXPROCS between 1 and 2
// every batches batches, and prints the mean step time of each setting and the median
// ratio (2 cores / 1 core) of neighbouring turns. The first turn of each epoch is left
// out (the epoch's set-up and the cold caches).
func interleaved(name string, batches, epochs int, seed int64, x, xTest, y *dl.Tensor) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	dl.SetSeed(seed)
	m, xs, _ := build(name, x, xTest)
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	var turns [2][]float64 // µs per step, by GOMAXPROCS-1, in order
	var ratios []float64
	var start time.Time
	procs := 2
	cb := &dl.LambdaCallback{
		EpochBegin: func(int, dl.Logs) { procs = 2; runtime.GOMAXPROCS(2) },
		BatchBegin: func(batch int, _ dl.Logs) {
			if batch%batches != 0 {
				return
			}
			if batch > 0 {
				turns[procs-1] = append(turns[procs-1], float64(time.Since(start).Microseconds())/float64(batches))
				if t1, t2 := turns[0], turns[1]; procs == 2 && len(t1) > 0 && batch > batches {
					ratios = append(ratios, t2[len(t2)-1]/t1[len(t1)-1])
				}
				if batch == batches { // drop the epoch's first turn
					turns[procs-1] = turns[procs-1][:len(turns[procs-1])-1]
				}
			}
			procs = 3 - procs
			runtime.GOMAXPROCS(procs)
			start = time.Now()
		},
	}
	m.Fit(xs, y, dl.Epochs(epochs), dl.Verbose(0), dl.WithCallback(cb))
	sort.Float64s(ratios)
	fmt.Printf("INTERLEAVE model=%s batches=%d pairs=%d step_us_1core=%.1f step_us_2cores=%.1f ratio_median=%.3f ratio_q1=%.3f ratio_q3=%.3f\n",
		name, batches, len(ratios), mean(turns[0]), mean(turns[1]), median(ratios), quantile(ratios, 0.25), quantile(ratios, 0.75))
}

func mean(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s / float64(max(len(v), 1))
}

func median(sorted []float64) float64 { return quantile(sorted, 0.5) }

func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[int(q*float64(len(sorted)-1)+0.5)]
}

func build(name string, x, xTest *dl.Tensor) (*dl.Sequential, *dl.Tensor, *dl.Tensor) {
	if name == "lenet5" {
		return lenet5(), x.Reshape(-1, 28, 28, 1), xTest.Reshape(-1, 28, 28, 1)
	}
	return mlp(), x, xTest
}

// vmHWM returns the peak resident set size in MB from /proc/self/status.
func vmHWM() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	return parseHWM(f)
}

func parseHWM(r io.Reader) float64 {
	s := bufio.NewScanner(r)
	for s.Scan() {
		if f := strings.Fields(s.Text()); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return -1
}

// meter measures an interval's wall time, this process's CPU time, and the share of the
// machine used by other processes meanwhile (as torch_baseline.py's "others": 0 on an idle
// machine, near 1 when others saturate every core).
type meter struct {
	wall      time.Time
	cpu, busy float64
}

func startMeter() meter { return meter{time.Now(), cpuSeconds(), busySeconds()} }

func (m meter) stop() (wall, cpu, others float64) {
	wall = time.Since(m.wall).Seconds()
	cpu = cpuSeconds() - m.cpu
	busy := busySeconds() - m.busy
	others = max(0, (busy-cpu)/(float64(runtime.NumCPU())*wall))
	return wall, cpu, others
}

// cpuSeconds returns the user + system CPU time of this process.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// busySeconds returns the busy CPU time of the whole machine from /proc/stat (user, nice,
// system, irq, softirq, steal).
func busySeconds() float64 {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 9 {
		return 0
	}
	var s float64
	for _, i := range []int{1, 2, 3, 6, 7, 8} {
		v, _ := strconv.ParseFloat(f[i], 64)
		s += v
	}
	return s / 100 // USER_HZ
}
