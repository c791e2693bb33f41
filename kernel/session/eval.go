package session

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/traefik/yaegi/interp"
)

func (s *Session) nextSeq() int { s.seq++; return s.seq }

// eval evaluates src, recovering the host panics yaegi lets escape. When ctx is cancelled
// during the evaluation, the evaluation goroutine yaegi abandoned is remembered, so that the
// next cell waits for it to leave compiled code.
func (s *Session) eval(ctx context.Context, src string) (v reflect.Value, err error) {
	s.filter.prune(10 * time.Second)
	s.evalAt = time.Now()
	gid := goroutineID()
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	defer guardStack(stop)()
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = interp.Panic{Value: r, Stack: debug.Stack()}
			}
		}()
		v, err = s.i.EvalWithContext(ctx, src)
	}()
	if err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		s.inflight = &inflight{gid: gid}
		if errors.Is(context.Cause(ctx), errRecursion) {
			err = errRecursion
		}
	}
	return v, err
}

// inflight is an evaluation that EvalWithContext stopped waiting for.
type inflight struct{ gid uint64 }

// wait waits until the abandoned evaluation goroutine has ended. It gives up, returning
// false, when ctx is done or, with a positive timeout, when timeout has passed.
func (f *inflight) wait(ctx context.Context, timeout time.Duration) bool {
	var deadline <-chan time.Time
	if timeout > 0 {
		deadline = time.After(timeout)
	}
	marker := fmt.Sprintf("created by github.com/traefik/yaegi/interp.(*Interpreter).EvalWithContext in goroutine %d\n", f.gid)
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		for n == len(buf) {
			buf = make([]byte, 2*len(buf))
			n = runtime.Stack(buf, true)
		}
		if !strings.Contains(string(buf[:n]), marker) {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-deadline:
			return false
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// goroutineID returns the id of the calling goroutine, from its stack header.
func goroutineID() uint64 {
	var b [64]byte
	n := runtime.Stack(b[:], false)
	f := strings.Fields(string(b[:n]))
	if len(f) < 2 {
		return 0
	}
	id, _ := strconv.ParseUint(f[1], 10, 64)
	return id
}
