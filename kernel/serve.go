package kernel

import (
	"context"
	"os"
	"os/signal"
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
