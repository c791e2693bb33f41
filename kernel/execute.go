package kernel

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"godl.dev/godl/display"
	"godl.dev/godl/jupyter"
	"godl.dev/godl/kernel/session"
)

// handleExecute runs a cell: execute_input, then the cell's output, then execute_result
// or error, then the reply. With stop_on_error, a failing cell aborts the execute
// requests already queued behind it.
func handleExecute(r *request) {
	k := r.k
	var c jupyter.ExecuteRequestContent
	if err := r.msg.DecodeContent(&c); err != nil {
		r.reply(errorReply(k.execCount, "BadRequest", err.Error()))
		return
	}
	if c.Silent {
		c.StoreHistory = false
	}
	if c.StoreHistory {
		k.execCount++
	}
	count := k.execCount
	if !c.Silent {
		r.publish(jupyter.ExecuteInput, jupyter.ExecuteInputContent{Code: c.Code, ExecutionCount: count})
	}

	result, err := k.runCell(r.msg, c)
	if c.StoreHistory {
		k.record(count, c.Code, result)
	}
	if err != nil {
		ce := asCellError(err)
		ec := &jupyter.ErrorContent{Ename: ce.Name, Evalue: ce.Value, Traceback: nonNil(ce.Traceback)}
		r.publish(jupyter.Error, ec)
		r.reply(jupyter.ExecuteReplyContent{Status: jupyter.StatusError, ExecutionCount: count, ErrorContent: ec})
		if c.StopOnError {
			k.abortQueued()
		}
		return
	}
	if result != nil && !c.Silent {
		r.publish(jupyter.ExecuteResult, jupyter.DisplayContent{ExecutionCount: &count,
			Data: result.Data, Metadata: nonNilMap(result.Metadata), Transient: transient(result.ID)})
	}
	r.reply(jupyter.ExecuteReplyContent{Status: jupyter.StatusOK, ExecutionCount: count,
		Payload: []any{}, UserExpressions: map[string]any{}})
}

// runCell evaluates one cell with the kernel as its output and display sink, under
// recover, with a context that an interrupt cancels. All stream output the cell wrote
// is published before runCell returns.
func (k *Kernel) runCell(parent *jupyter.Message, c jupyter.ExecuteRequestContent) (result *display.Bundle, err error) {
	out := newCellOutput(k, parent, c.AllowStdin)
	ctx, cancel := context.WithCancel(context.Background())
	out.ctx = ctx
	k.mu.Lock()
	k.cancel = cancel
	k.mu.Unlock()
	k.opts.BeginCell()
	previous := display.SetSink(out)
	defer func() {
		display.SetSink(previous)
		k.mu.Lock()
		k.cancel = nil
		k.mu.Unlock()
		cancel()
		out.flush()
	}()
	defer func() {
		if p := recover(); p != nil {
			k.log.Printf("kernel: evaluator panic: %v\n%s", p, debug.Stack())
			result, err = nil, &session.CellError{Name: "KernelPanic",
				Value: fmt.Sprintf("the evaluator panicked: %v", p), Traceback: []string{}}
		}
	}()
	return k.ev.Execute(ctx, c.Code, out)
}

// abortQueued answers every execute request waiting in the shell queue with status
// aborted, as ipykernel does after an error with stop_on_error; other queued requests
// are served normally, in order.
func (k *Kernel) abortQueued() {
	for {
		select {
		case msg := <-k.shellQ:
			if msg.Type() != jupyter.ExecuteRequest {
				k.dispatch(jupyter.Shell, msg)
				continue
			}
			k.publishStatus(jupyter.StateBusy, msg)
			k.sendOn(jupyter.Shell, jupyter.ExecuteReply, msg, map[string]any{"status": jupyter.StatusAborted})
			k.publishStatus(jupyter.StateIdle, msg)
		default:
			return
		}
	}
}

func asCellError(err error) *session.CellError {
	var ce *session.CellError
	if errors.As(err, &ce) {
		return ce
	}
	return &session.CellError{Name: "Error", Value: err.Error()}
}

func errorReply(count int, name, value string) jupyter.ExecuteReplyContent {
	return jupyter.ExecuteReplyContent{Status: jupyter.StatusError, ExecutionCount: count,
		ErrorContent: &jupyter.ErrorContent{Ename: name, Evalue: value, Traceback: []string{}}}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

func transient(id string) map[string]any {
	if id == "" {
		return nil
	}
	return map[string]any{"display_id": id}
}
