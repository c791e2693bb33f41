package kernel

import (
	"context"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"godl.dev/godl/jupyter"
)

// shutdownGrace is how long Serve keeps the sockets open after a shutdown reply, so that
// the last IOPub messages (queued asynchronously by the PUB socket) reach the frontend.
const shutdownGrace = 100 * time.Millisecond

// stuckCellWait is how long Serve waits, after a shutdown request, for a running cell to
// return from its interrupt before it returns anyway.
const stuckCellWait = time.Second

// Serve runs a kernel on the sockets described by the connection file at path until a
// frontend asks it to shut down, ctx is cancelled, or the process gets SIGTERM. SIGINT
// interrupts the running cell instead of ending the process. restart reports whether the
// shutdown request asked for a restart; the kernel manager then starts a new process.
func Serve(ctx context.Context, path string, opts Options) (restart bool, err error) {
	info, err := jupyter.ReadConnectionFile(path)
	if err != nil {
		return false, err
	}
	srv, err := jupyter.Listen(info, opts.Logger)
	if err != nil {
		return false, err
	}
	defer srv.Close()
	k := New(srv, opts)

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	signals := make(chan os.Signal, 4)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	go func() {
		for {
			select {
			case s := <-signals:
				if s == os.Interrupt {
					k.Interrupt()
					continue
				}
				k.log.Printf("kernel: %v received, shutting down", s)
				cancel()
				return
			case <-ctx.Done():
				return
			}
		}
	}()

	go watchParent(ctx, cancel, k)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, k) }()
	ran := make(chan bool, 1)
	go func() { ran <- k.Run(ctx) }()
	select {
	case restart = <-ran:
	case <-k.Done():
		// A cell stuck in compiled code cannot be stopped; do not let it hold the
		// process past a shutdown.
		select {
		case restart = <-ran:
		case <-time.After(stuckCellWait):
			k.log.Printf("kernel: the running cell did not stop; exiting anyway")
			restart = k.restarting()
		}
	}
	time.Sleep(shutdownGrace)
	cancel()
	<-served
	return restart, nil
}

// parentPoll is how often the kernel checks that the process that started it lives.
const parentPoll = time.Second

// watchParent ends the kernel when the kernel manager that started it has died, so that
// a crashed frontend leaves no orphan kernel. jupyter_client names itself in
// JPY_PARENT_PID; on Unix a process whose parent dies is given a new parent.
func watchParent(ctx context.Context, cancel context.CancelFunc, k *Kernel) {
	ppid, err := strconv.Atoi(os.Getenv("JPY_PARENT_PID"))
	if err != nil || ppid <= 1 || runtime.GOOS == "windows" || os.Getppid() != ppid {
		return
	}
	tick := time.NewTicker(parentPoll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if os.Getppid() != ppid {
				k.log.Printf("kernel: the process that started the kernel (%d) is gone; shutting down", ppid)
				cancel()
				return
			}
		}
	}
}
