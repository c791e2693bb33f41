package kernel

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"strings"
	"sync"
	"testing"
	"time"

	"godl.dev/godl/display"
	"godl.dev/godl/jupyter"
	"godl.dev/godl/kernel/session"
)

// fakeEvaluator runs cells written in a tiny command language, one command per line, so
// that the kernel's protocol handling can be tested without yaegi.
type fakeEvaluator struct{}

func (fakeEvaluator) Execute(ctx context.Context, code string, out session.Output) (*display.Bundle, error) {
	var result *display.Bundle
	for _, line := range strings.Split(code, "\n") {
		cmd, arg, _ := strings.Cut(line, " ")
		switch cmd {
		case "print":
			out.Stream("stdout", arg+"\n")
		case "eprint":
			out.Stream("stderr", arg+"\n")
		case "flood":
			chunk := strings.Repeat("x", 1023) + "\n"
			for range 1024 {
				out.Stream("stdout", chunk)
			}
		case "fail":
			return nil, &session.CellError{Name: "CompileError", Value: "cell.go:1:1: " + arg,
				Traceback: []string{"cell.go:1:1: " + arg}}
		case "panic":
			panic("evaluator bug")
		case "png":
			out.Display(display.Bundle{Data: map[string]any{"image/png": "iVBORw0KGgo=", "text/plain": "<image>"}, ID: arg})
		case "update":
			out.Update(display.Bundle{Data: map[string]any{"text/plain": "updated"}, ID: arg})
		case "updates": // 1000 updates of display u as fast as possible: "v0" … "v999"
			for i := range 1000 {
				out.Update(display.Bundle{Data: map[string]any{"text/plain": fmt.Sprint("v", i)}, ID: "u"})
			}
		case "sink":
			display.CurrentSink().Display(display.Bundle{Data: map[string]any{"text/html": arg}})
		case "clear":
			out.ClearOutput(true)
		case "hang":
			time.Sleep(3 * time.Second) // compiled work that ignores interrupts
		case "loop":
			<-ctx.Done()
			return nil, &session.CellError{Name: "Interrupted", Value: "interrupted by the user"}
		case "input":
			v, err := out.Input(arg, false)
			if err != nil {
				return nil, err
			}
			out.Stream("stdout", "got "+v+"\n")
		case "value":
			result = &display.Bundle{Data: map[string]any{"text/plain": arg}}
		}
	}
	return result, nil
}

func (fakeEvaluator) Complete(code string, cursor int) ([]string, int, int) {
	if strings.HasSuffix(code[:len(string([]rune(code)[:cursor]))], "strings.ToU") {
		return []string{"strings.ToUpper", "strings.ToUpperSpecial"}, cursor - len("strings.ToU"), cursor
	}
	return nil, 0, 0
}

func (fakeEvaluator) Inspect(code string, cursor, detail int) (display.Bundle, bool) {
	if strings.Contains(code, "Println") {
		return display.Bundle{Data: map[string]any{"text/plain": "func fmt.Println(a ...any) (n int, err error)"}}, true
	}
	return display.Bundle{}, false
}

func (fakeEvaluator) IsComplete(code string) (string, string) {
	switch {
	case strings.HasSuffix(code, "{"):
		return "incomplete", "\t"
	case strings.HasSuffix(code, "}}"):
		return "invalid", ""
	}
	return "complete", ""
}

type sent struct {
	ch  jupyter.Channel
	msg *jupyter.Message
}

// recorder is a jupyter.Sender that keeps what the kernel sends, one queue for all
// channels, in order.
type recorder struct {
	mu     sync.Mutex
	msgs   []sent
	notify chan struct{}
}

func (r *recorder) Send(ch jupyter.Channel, m *jupyter.Message) error {
	r.mu.Lock()
	r.msgs = append(r.msgs, sent{ch, m})
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
	return nil
}

// until waits for a message matching ok and returns all messages whose parent is
// parentID, up to and including it.
func (r *recorder) until(t *testing.T, parentID string, ok func(sent) bool) []sent {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		r.mu.Lock()
		var got []sent
		for _, s := range r.msgs {
			if s.msg.Parent.MsgID == parentID {
				got = append(got, s)
				if ok(s) {
					r.mu.Unlock()
					return got
				}
			}
		}
		r.mu.Unlock()
		select {
		case <-r.notify:
		case <-time.After(10 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for a message answering %s; got %s", parentID, types(got))
		}
	}
}

func types(ss []sent) string {
	var b []string
	for _, s := range ss {
		t := s.ch.String() + ":" + s.msg.Type()
		if s.msg.Type() == jupyter.Status {
			var c jupyter.StatusContent
			json.Unmarshal(s.msg.Content, &c)
			t += "(" + c.ExecutionState + ")"
		}
		b = append(b, t)
	}
	return strings.Join(b, " ")
}

func isIdle(s sent) bool {
	return s.msg.Type() == jupyter.Status && strings.Contains(string(s.msg.Content), `"idle"`)
}

type harness struct {
	t   *testing.T
	k   *Kernel
	rec *recorder
}

// newHarness starts a kernel with the fake evaluator; with start false, Run is left to
// the test, so that requests can be queued first.
func newHarness(t *testing.T, start bool) *harness {
	rec := &recorder{notify: make(chan struct{}, 1)}
	k := New(rec, Options{Evaluator: fakeEvaluator{}, Logger: log.New(io.Discard, "", 0),
		Interrupt: func() {}, BeginCell: func() {}})
	h := &harness{t: t, k: k, rec: rec}
	if start {
		h.run()
	}
	return h
}

func (h *harness) run() chan bool {
	ctx, cancel := context.WithCancel(context.Background())
	h.t.Cleanup(cancel)
	done := make(chan bool, 1)
	go func() { done <- h.k.Run(ctx) }()
	return done
}

func (h *harness) request(ch jupyter.Channel, msgType string, content any) *jupyter.Message {
	h.t.Helper()
	m, err := jupyter.NewMessage(msgType, "client", nil, content)
	if err != nil {
		h.t.Fatal(err)
	}
	m.Identities = [][]byte{[]byte("frontend")}
	go h.k.ServeJupyter(ch, m)
	return m
}

// do sends a request and returns everything sent in answer, up to its idle status.
func (h *harness) do(ch jupyter.Channel, msgType string, content any) []sent {
	h.t.Helper()
	m := h.request(ch, msgType, content)
	return h.rec.until(h.t, m.Header.MsgID, isIdle)
}

func (h *harness) execute(code string) []sent {
	h.t.Helper()
	return h.do(jupyter.Shell, jupyter.ExecuteRequest, jupyter.ExecuteRequestContent{Code: code,
		StoreHistory: true, StopOnError: true, AllowStdin: true})
}

func find(ss []sent, msgType string) []sent {
	var out []sent
	for _, s := range ss {
		if s.msg.Type() == msgType {
			out = append(out, s)
		}
	}
	return out
}

func decode[T any](t *testing.T, s sent) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(s.msg.Content, &v); err != nil {
		t.Fatalf("%s content %s: %v", s.msg.Type(), s.msg.Content, err)
	}
	return v
}

// checkBracket checks that a request was answered as busy, ..., reply, idle, all with the
// request as parent, and returns the reply.
func checkBracket(t *testing.T, ss []sent, replyCh jupyter.Channel, reply string) sent {
	t.Helper()
	if len(ss) < 3 {
		t.Fatalf("answer %s is too short", types(ss))
	}
	first, last := ss[0], ss[len(ss)-1]
	if first.ch != jupyter.IOPub || !strings.Contains(string(first.msg.Content), `"busy"`) || !isIdle(last) {
		t.Errorf("answer %s is not bracketed by busy and idle", types(ss))
	}
	var replies []sent
	for _, s := range find(ss, reply) {
		if s.ch == replyCh {
			replies = append(replies, s)
		}
	}
	if len(replies) != 1 {
		t.Fatalf("want one %s on %s in %s", reply, replyCh, types(ss))
	}
	if ss[len(ss)-2].msg.Type() != reply && ss[len(ss)-2].msg.Type() != jupyter.ShutdownReply {
		t.Errorf("the reply is not the last message before idle: %s", types(ss))
	}
	if string(replies[0].msg.Identities[0]) != "frontend" {
		t.Errorf("reply routed to %q", replies[0].msg.Identities)
	}
	return replies[0]
}
