package kernel

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"godl.dev/godl/display"
	"godl.dev/godl/jupyter"
)

func TestKernelInfoOnShellAndControl(t *testing.T) {
	h := newHarness(t, true)
	for _, ch := range []jupyter.Channel{jupyter.Shell, jupyter.Control} {
		reply := checkBracket(t, h.do(ch, jupyter.KernelInfoRequest, nil), ch, jupyter.KernelInfoReply)
		info := decode[jupyter.KernelInfo](t, reply)
		li := info.LanguageInfo
		if info.Status != "ok" || info.ProtocolVersion != "5.3" || li.Name != "go" || li.Mimetype != "text/x-go" ||
			li.FileExtension != ".go" || li.PygmentsLexer != "go" || li.CodemirrorMode != "go" ||
			info.Banner == "" || len(info.HelpLinks) == 0 {
			t.Errorf("%s kernel_info_reply = %+v", ch, info)
		}
	}
}

func TestExecute(t *testing.T) {
	h := newHarness(t, true)
	ss := h.execute("print hello\neprint warn\nprint again\nvalue 42")
	reply := decode[jupyter.ExecuteReplyContent](t, checkBracket(t, ss, jupyter.Shell, jupyter.ExecuteReply))
	if reply.Status != "ok" || reply.ExecutionCount != 1 {
		t.Errorf("reply = %+v", reply)
	}
	want := []string{"status", "execute_input", "stream", "stream", "stream", "execute_result", "execute_reply", "status"}
	var got []string
	for _, s := range ss {
		got = append(got, s.msg.Type())
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("messages %s, want %s", types(ss), want)
	}
	streams := find(ss, jupyter.Stream)
	texts := []string{}
	for _, s := range streams {
		c := decode[jupyter.StreamContent](t, s)
		texts = append(texts, c.Name+":"+c.Text)
	}
	if strings.Join(texts, "|") != "stdout:hello\n|stderr:warn\n|stdout:again\n" {
		t.Errorf("streams out of order or not coalesced: %q", texts)
	}
	res := decode[jupyter.DisplayContent](t, find(ss, jupyter.ExecuteResult)[0])
	if res.Data["text/plain"] != "42" || res.ExecutionCount == nil || *res.ExecutionCount != 1 {
		t.Errorf("execute_result = %+v", res)
	}
	in := decode[jupyter.ExecuteInputContent](t, find(ss, jupyter.ExecuteInput)[0])
	if in.ExecutionCount != 1 || !strings.HasPrefix(in.Code, "print hello") {
		t.Errorf("execute_input = %+v", in)
	}

	// The count goes up with store_history, and not for silent cells.
	reply = decode[jupyter.ExecuteReplyContent](t, find(h.execute("print x"), jupyter.ExecuteReply)[0])
	if reply.ExecutionCount != 2 {
		t.Errorf("second cell count %d", reply.ExecutionCount)
	}
	ss = h.do(jupyter.Shell, jupyter.ExecuteRequest, jupyter.ExecuteRequestContent{Code: "value 1", Silent: true})
	if len(find(ss, jupyter.ExecuteInput)) != 0 || len(find(ss, jupyter.ExecuteResult)) != 0 {
		t.Errorf("silent cell published %s", types(ss))
	}
	if c := decode[jupyter.ExecuteReplyContent](t, find(ss, jupyter.ExecuteReply)[0]).ExecutionCount; c != 2 {
		t.Errorf("silent cell changed the count to %d", c)
	}
}

func TestExecuteErrorAndStopOnError(t *testing.T) {
	h := newHarness(t, false)
	// Queue requests before the kernel runs: the failure aborts the execute request queued
	// behind it, other queued requests are answered, and a later cell runs again.
	fail := h.request(jupyter.Shell, jupyter.ExecuteRequest, jupyter.ExecuteRequestContent{Code: "fail boom", StoreHistory: true, StopOnError: true})
	time.Sleep(20 * time.Millisecond)
	second := h.request(jupyter.Shell, jupyter.ExecuteRequest, jupyter.ExecuteRequestContent{Code: "print never", StoreHistory: true})
	time.Sleep(20 * time.Millisecond)
	info := h.request(jupyter.Shell, jupyter.KernelInfoRequest, nil)
	time.Sleep(20 * time.Millisecond)
	h.run()

	ss := h.rec.until(t, fail.Header.MsgID, isIdle)
	reply := decode[jupyter.ExecuteReplyContent](t, checkBracket(t, ss, jupyter.Shell, jupyter.ExecuteReply))
	if reply.Status != "error" || reply.ErrorContent == nil || reply.Ename != "CompileError" ||
		reply.Evalue != "cell.go:1:1: boom" || len(reply.Traceback) != 1 {
		t.Errorf("error reply = %+v", reply)
	}
	errs := find(ss, jupyter.Error)
	if len(errs) != 1 {
		t.Fatalf("want one error message, got %s", types(ss))
	}
	if e := decode[jupyter.ErrorContent](t, errs[0]); e.Ename != "CompileError" {
		t.Errorf("error message = %+v", e)
	}

	ss = h.rec.until(t, second.Header.MsgID, isIdle)
	if r := decode[map[string]any](t, checkBracket(t, ss, jupyter.Shell, jupyter.ExecuteReply)); r["status"] != "aborted" {
		t.Errorf("queued cell after a failure: %v", r)
	}
	if len(find(ss, jupyter.Stream)) != 0 {
		t.Error("an aborted cell ran")
	}
	checkBracket(t, h.rec.until(t, info.Header.MsgID, isIdle), jupyter.Shell, jupyter.KernelInfoReply)

	// The kernel goes on.
	ss = h.execute("print after")
	if r := decode[jupyter.ExecuteReplyContent](t, find(ss, jupyter.ExecuteReply)[0]); r.Status != "ok" {
		t.Errorf("cell after the abort: %+v", r)
	}
}

func TestEvaluatorPanicIsAnError(t *testing.T) {
	h := newHarness(t, true)
	ss := h.execute("print before\npanic")
	reply := decode[jupyter.ExecuteReplyContent](t, checkBracket(t, ss, jupyter.Shell, jupyter.ExecuteReply))
	if reply.Status != "error" || reply.Ename != "KernelPanic" || !strings.Contains(reply.Evalue, "evaluator bug") {
		t.Errorf("reply = %+v", reply)
	}
	if len(find(ss, jupyter.Stream)) != 1 {
		t.Errorf("output before the panic lost: %s", types(ss))
	}
	if r := decode[jupyter.ExecuteReplyContent](t, find(h.execute("value 1"), jupyter.ExecuteReply)[0]); r.Status != "ok" {
		t.Errorf("kernel unusable after a panic: %+v", r)
	}
}

func TestStreamRateLimit(t *testing.T) {
	h := newHarness(t, true)
	ss := h.execute("flood")
	total := 0
	var note string
	for _, s := range find(ss, jupyter.Stream) {
		c := decode[jupyter.StreamContent](t, s)
		if c.Name == "stdout" {
			total += len(c.Text)
		} else {
			note += c.Text
		}
	}
	if total == 0 || total > 2*StreamWindowBytes {
		t.Errorf("published %d bytes of a 1 MiB flood, want at most %d", total, 2*StreamWindowBytes)
	}
	if !strings.Contains(note, "bytes of stdout dropped") {
		t.Errorf("no drop note, stderr = %q", note)
	}
}

func TestDisplays(t *testing.T) {
	h := newHarness(t, true)
	ss := h.execute("print first\npng fig1\nupdate fig1\nsink <b>x</b>\nclear")
	got := []string{}
	for _, s := range ss[2 : len(ss)-2] {
		got = append(got, s.msg.Type())
	}
	if strings.Join(got, " ") != "stream display_data update_display_data display_data clear_output" {
		t.Fatalf("messages %s", types(ss))
	}
	d := decode[jupyter.DisplayContent](t, find(ss, jupyter.DisplayData)[0])
	if d.Data["image/png"] != "iVBORw0KGgo=" || d.Transient["display_id"] != "fig1" || d.Metadata == nil {
		t.Errorf("display_data = %+v", d)
	}
	u := decode[jupyter.DisplayContent](t, find(ss, jupyter.UpdateDisplayData)[0])
	if u.Transient["display_id"] != "fig1" || u.Data["text/plain"] != "updated" {
		t.Errorf("update_display_data = %+v", u)
	}
	if html := decode[jupyter.DisplayContent](t, find(ss, jupyter.DisplayData)[1]); html.Data["text/html"] != "<b>x</b>" {
		t.Errorf("display through display.CurrentSink = %+v", html)
	}
	if _, isText := display.CurrentSink().(*cellOutput); isText {
		t.Error("the cell's sink is still installed after the cell")
	}
}

// TestUpdateRateLimit: a burst of updates of one display is thinned to a few messages, and
// the last state always arrives.
func TestUpdateRateLimit(t *testing.T) {
	h := newHarness(t, true)
	ss := h.execute("png u\nupdates\nprint after")
	ups := find(ss, jupyter.UpdateDisplayData)
	if len(ups) == 0 || len(ups) > 50 {
		t.Fatalf("%d update_display_data messages for 1000 rapid updates, want 1 to 50", len(ups))
	}
	if last := decode[jupyter.DisplayContent](t, ups[len(ups)-1]); last.Data["text/plain"] != "v999" {
		t.Errorf("last update = %v, want v999", last.Data["text/plain"])
	}
	got := types(ss)
	if i, j := strings.LastIndex(got, "update_display_data"), strings.Index(got, "stream"); j < i {
		t.Errorf("the stream written after the updates came before them: %s", got)
	}
}

func TestInterrupt(t *testing.T) {
	h := newHarness(t, true)
	interrupted := make(chan struct{}, 1)
	h.k.opts.Interrupt = func() { interrupted <- struct{}{} }
	cell := h.request(jupyter.Shell, jupyter.ExecuteRequest, jupyter.ExecuteRequestContent{Code: "loop", StoreHistory: true})
	h.rec.until(t, cell.Header.MsgID, func(s sent) bool { return s.msg.Type() == jupyter.ExecuteInput })
	start := time.Now()
	checkBracket(t, h.do(jupyter.Control, jupyter.InterruptRequest, nil), jupyter.Control, jupyter.InterruptReply)
	ss := h.rec.until(t, cell.Header.MsgID, isIdle)
	if d := time.Since(start); d > time.Second {
		t.Errorf("the cell stopped %v after the interrupt", d)
	}
	if r := decode[jupyter.ExecuteReplyContent](t, find(ss, jupyter.ExecuteReply)[0]); r.Status != "error" || r.Ename != "Interrupted" {
		t.Errorf("interrupted cell reply %+v", r)
	}
	select {
	case <-interrupted:
	default:
		t.Error("Options.Interrupt was not called")
	}
}

func TestInput(t *testing.T) {
	h := newHarness(t, true)
	cell := h.request(jupyter.Shell, jupyter.ExecuteRequest, jupyter.ExecuteRequestContent{Code: "input name?", AllowStdin: true})
	ss := h.rec.until(t, cell.Header.MsgID, func(s sent) bool { return s.msg.Type() == jupyter.InputRequest })
	req := ss[len(ss)-1]
	if req.ch != jupyter.Stdin || string(req.msg.Identities[0]) != "frontend" {
		t.Errorf("input_request sent on %s to %q", req.ch, req.msg.Identities)
	}
	if c := decode[jupyter.InputRequestContent](t, req); c.Prompt != "name?" || c.Password {
		t.Errorf("input_request = %+v", c)
	}
	h.request(jupyter.Stdin, jupyter.InputReply, jupyter.InputReplyContent{Value: "Ada"})
	ss = h.rec.until(t, cell.Header.MsgID, isIdle)
	if c := decode[jupyter.StreamContent](t, find(ss, jupyter.Stream)[0]); c.Text != "got Ada\n" {
		t.Errorf("stream after input = %q", c.Text)
	}

	ss = h.do(jupyter.Shell, jupyter.ExecuteRequest, jupyter.ExecuteRequestContent{Code: "input name?", AllowStdin: false})
	r := decode[jupyter.ExecuteReplyContent](t, find(ss, jupyter.ExecuteReply)[0])
	if r.Status != "error" || !strings.Contains(r.Evalue, "allow_stdin is false") {
		t.Errorf("input without allow_stdin: %+v", r)
	}
	if s := find(ss, jupyter.Stream); len(s) != 1 || !strings.Contains(decode[jupyter.StreamContent](t, s[0]).Text, "allow_stdin") {
		t.Errorf("the refusal is not shown on stderr: %s", types(ss))
	}
}

func TestIntrospection(t *testing.T) {
	h := newHarness(t, true)
	c := decode[jupyter.CompleteReplyContent](t, checkBracket(t,
		h.do(jupyter.Shell, jupyter.CompleteRequest, jupyter.CodeCursor{Code: "é := strings.ToU", CursorPos: 16}),
		jupyter.Shell, jupyter.CompleteReply))
	if len(c.Matches) != 2 || c.CursorStart != 5 || c.CursorEnd != 16 {
		t.Errorf("complete_reply = %+v", c)
	}
	c = decode[jupyter.CompleteReplyContent](t, find(h.do(jupyter.Shell, jupyter.CompleteRequest,
		jupyter.CodeCursor{Code: "zz", CursorPos: 2}), jupyter.CompleteReply)[0])
	if c.Matches == nil || len(c.Matches) != 0 || c.CursorStart != 2 || c.CursorEnd != 2 {
		t.Errorf("no completion = %+v", c)
	}
	in := decode[jupyter.InspectReplyContent](t, checkBracket(t,
		h.do(jupyter.Shell, jupyter.InspectRequest, jupyter.CodeCursor{Code: "fmt.Println", CursorPos: 5}),
		jupyter.Shell, jupyter.InspectReply))
	if !in.Found || in.Data["text/plain"] == nil {
		t.Errorf("inspect_reply = %+v", in)
	}
	in = decode[jupyter.InspectReplyContent](t, find(h.do(jupyter.Shell, jupyter.InspectRequest,
		jupyter.CodeCursor{Code: "x", CursorPos: 1}), jupyter.InspectReply)[0])
	if in.Found || in.Status != "ok" {
		t.Errorf("inspect of nothing = %+v", in)
	}
	for code, want := range map[string]string{"func f() {": "incomplete", "x}}": "invalid", "x := 1": "complete"} {
		r := decode[jupyter.IsCompleteReplyContent](t, find(h.do(jupyter.Shell, jupyter.IsCompleteRequest,
			jupyter.CodeCursor{Code: code}), jupyter.IsCompleteReply)[0])
		if r.Status != want || (want == "incomplete") != (r.Indent == "\t") {
			t.Errorf("is_complete(%q) = %+v, want %s", code, r, want)
		}
	}
}

func TestHistory(t *testing.T) {
	h := newHarness(t, true)
	for _, code := range []string{"value 1", "print a", "value 1", "value 22", "fail x"} {
		h.execute(code)
	}
	hist := func(c jupyter.HistoryRequestContent) [][]any {
		t.Helper()
		r := decode[jupyter.HistoryReplyContent](t, checkBracket(t,
			h.do(jupyter.Shell, jupyter.HistoryRequest, c), jupyter.Shell, jupyter.HistoryReply))
		return r.History
	}
	lines := func(hs [][]any) (out []int) {
		for _, e := range hs {
			out = append(out, int(e[1].(float64)))
		}
		return out
	}
	tests := []struct {
		desc string
		req  jupyter.HistoryRequestContent
		want []int
	}{
		{"tail 2", jupyter.HistoryRequestContent{HistAccessType: "tail", N: 2}, []int{4, 5}},
		{"tail all", jupyter.HistoryRequestContent{HistAccessType: "tail"}, []int{1, 2, 3, 4, 5}},
		{"range", jupyter.HistoryRequestContent{HistAccessType: "range", Session: 1, Start: 2, Stop: 4}, []int{2, 3}},
		{"range current session", jupyter.HistoryRequestContent{HistAccessType: "range", Session: 0, Start: 5}, []int{5}},
		{"range other session", jupyter.HistoryRequestContent{HistAccessType: "range", Session: 7, Start: 1}, nil},
		{"search glob", jupyter.HistoryRequestContent{HistAccessType: "search", Pattern: "value ?"}, []int{1, 3}},
		{"search star", jupyter.HistoryRequestContent{HistAccessType: "search", Pattern: "value*"}, []int{1, 3, 4}},
		{"search unique", jupyter.HistoryRequestContent{HistAccessType: "search", Pattern: "value*", Unique: true}, []int{3, 4}},
		{"search n", jupyter.HistoryRequestContent{HistAccessType: "search", Pattern: "*", N: 2}, []int{4, 5}},
		{"search class", jupyter.HistoryRequestContent{HistAccessType: "search", Pattern: "[fp]*"}, []int{2, 5}},
	}
	for _, tt := range tests {
		if got := lines(hist(tt.req)); fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("%s: lines %v, want %v", tt.desc, got, tt.want)
		}
	}
	out := hist(jupyter.HistoryRequestContent{HistAccessType: "tail", N: 1, Output: true})
	pair, ok := out[0][2].([]any)
	if !ok || len(pair) != 2 || pair[0] != "fail x" {
		t.Errorf("history with output = %v", out)
	}
	out = hist(jupyter.HistoryRequestContent{HistAccessType: "range", Start: 1, Stop: 2, Output: true})
	if pair := out[0][2].([]any); pair[1] != "1" || out[0][0].(float64) != 1 {
		t.Errorf("history output of a value cell = %v", out)
	}
}

func TestComms(t *testing.T) {
	h := newHarness(t, true)
	r := decode[jupyter.CommInfoReplyContent](t, checkBracket(t,
		h.do(jupyter.Shell, jupyter.CommInfoRequest, nil), jupyter.Shell, jupyter.CommInfoReply))
	if r.Status != "ok" || r.Comms == nil || len(r.Comms) != 0 {
		t.Errorf("comm_info_reply = %+v", r)
	}
	ss := h.do(jupyter.Shell, jupyter.CommOpen, jupyter.CommContent{CommID: "c1", TargetName: "jupyter.widget", Data: map[string]any{}})
	closes := find(ss, jupyter.CommClose)
	if len(closes) != 1 || closes[0].ch != jupyter.IOPub || decode[jupyter.CommContent](t, closes[0]).CommID != "c1" {
		t.Errorf("comm_open answered with %s", types(ss))
	}
}

func TestShutdown(t *testing.T) {
	h := newHarness(t, false)
	done := h.run()
	ss := h.do(jupyter.Control, jupyter.ShutdownRequest, jupyter.ShutdownContent{Restart: true})
	r := decode[jupyter.ShutdownContent](t, checkBracket(t, ss, jupyter.Control, jupyter.ShutdownReply))
	if r.Status != "ok" || !r.Restart {
		t.Errorf("shutdown_reply = %+v", r)
	}
	select {
	case restart := <-done:
		if !restart {
			t.Error("Run did not report the restart")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		glob, text string
		match      bool
	}{
		{"1?2*", "1+2", true},
		{"1?2*", "1+23\nx", true},
		{"1?2*", "x1+2", false},
		{"a.b", "axb", false},
		{"[!a]x", "bx", true},
		{"[!a]x", "ax", false},
		{"[", "[", true},
		{"*(*", "f(x)", true},
	}
	for _, tt := range tests {
		if got := globRegexp(tt.glob).MatchString(tt.text); got != tt.match {
			t.Errorf("glob %q on %q = %v, want %v", tt.glob, tt.text, got, tt.match)
		}
	}
}

func TestHandlerPanicIsAnsweredAndSurvived(t *testing.T) {
	routes[jupyter.Shell]["explode_request"] = func(r *request) { panic("handler bug") }
	defer delete(routes[jupyter.Shell], "explode_request")
	h := newHarness(t, true)
	ss := h.do(jupyter.Shell, "explode_request", nil)
	r := decode[jupyter.ExecuteReplyContent](t, checkBracket(t, ss, jupyter.Shell, "explode_reply"))
	if r.Status != "error" || r.Ename != "KernelError" || !strings.Contains(r.Evalue, "handler bug") {
		t.Errorf("reply to a panicking handler = %+v", r)
	}
	// Unknown types get busy and idle but no reply.
	ss = h.do(jupyter.Shell, "no_such_request", nil)
	if len(ss) != 2 {
		t.Errorf("unknown request answered with %s", types(ss))
	}
	checkBracket(t, h.do(jupyter.Shell, jupyter.KernelInfoRequest, nil), jupyter.Shell, jupyter.KernelInfoReply)
}
