package kernel

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"godl.dev/godl/display"
	"godl.dev/godl/interrupt"
	"godl.dev/godl/kernel/session"
)

const testNotebook = `{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Title\n"]},
  {"cell_type": "code", "execution_count": null, "metadata": {"tags": ["keep"]}, "outputs": [],
   "source": ["print hello\n", "print world\n", "value 42"]},
  {"cell_type": "code", "execution_count": 7, "metadata": {}, "outputs": [{"output_type": "stream", "name": "stdout", "text": "stale"}],
   "source": "png fig\nupdate fig"},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": "fail boom"},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": "print after"}
 ],
 "metadata": {"kernelspec": {"name": "godl", "display_name": "Go (godl)", "language": "go"}},
 "nbformat": 4,
 "nbformat_minor": 5
}`

func TestRunNotebook(t *testing.T) {
	for _, allow := range []bool{false, true} {
		nb, err := ReadNotebook([]byte(testNotebook))
		if err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		err = RunNotebook(context.Background(), fakeEvaluator{}, nb,
			RunOptions{Stdout: &stdout, Stderr: &stderr, AllowErrors: allow})
		if allow != (err == nil) {
			t.Errorf("AllowErrors=%v: err = %v", allow, err)
		}
		wantOut := "hello\nworld\n42\n<image>\nupdated\n" // the display, then its final state
		if allow {
			wantOut += "after\n"
		}
		if stdout.String() != wantOut {
			t.Errorf("AllowErrors=%v: printed %q, want %q", allow, stdout.String(), wantOut)
		}
		if !strings.Contains(stderr.String(), "CompileError: cell.go:1:1: boom") {
			t.Errorf("stderr = %q", stderr.String())
		}

		data, err := json.Marshal(nb)
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			Cells []struct {
				ExecutionCount *int             `json:"execution_count"`
				Metadata       map[string]any   `json:"metadata"`
				Outputs        []map[string]any `json:"outputs"`
			} `json:"cells"`
			Metadata map[string]any `json:"metadata"`
			Nbformat int            `json:"nbformat"`
		}
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		c1 := got.Cells[1]
		if *c1.ExecutionCount != 1 || len(c1.Outputs) != 2 || c1.Outputs[0]["text"] != "hello\nworld\n" ||
			c1.Outputs[1]["output_type"] != "execute_result" || c1.Metadata["tags"] == nil {
			t.Errorf("cell 1 = %+v", c1)
		}
		c2 := got.Cells[2]
		if len(c2.Outputs) != 1 || c2.Outputs[0]["output_type"] != "display_data" ||
			c2.Outputs[0]["data"].(map[string]any)["text/plain"] != "updated" {
			t.Errorf("cell 2 (display updated in place) = %+v", c2.Outputs)
		}
		if _, ok := c2.Outputs[0]["transient"]; ok {
			t.Error("transient is not part of nbformat outputs")
		}
		c3 := got.Cells[3]
		if len(c3.Outputs) != 1 || c3.Outputs[0]["output_type"] != "error" || c3.Outputs[0]["ename"] != "CompileError" {
			t.Errorf("cell 3 = %+v", c3.Outputs)
		}
		c4 := got.Cells[4]
		if allow != (c4.ExecutionCount != nil && len(c4.Outputs) == 1) {
			t.Errorf("AllowErrors=%v: cell after the error = %+v", allow, c4)
		}
		if got.Nbformat != 4 || got.Metadata["kernelspec"] == nil {
			t.Errorf("notebook metadata lost: %+v", got)
		}
	}
}

func TestRunNotebookInput(t *testing.T) {
	nb, err := ReadNotebook([]byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {},
		"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "input name?\ninput again?"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	err = RunNotebook(context.Background(), fakeEvaluator{}, nb,
		RunOptions{Stdout: &stdout, Stdin: strings.NewReader("Ada\r\nGrace")})
	if err != nil {
		t.Fatal(err)
	}
	if stdout.String() != "name?got Ada\nagain?got Grace\n" {
		t.Errorf("stdout = %q", stdout.String())
	}
	if err := RunNotebook(context.Background(), fakeEvaluator{}, nb, RunOptions{}); err == nil {
		t.Error("input without stdin succeeded")
	}
}

func TestReadNotebookErrors(t *testing.T) {
	for _, bad := range []string{`nope`, `{"nbformat": 3, "cells": []}`, `{"nbformat": 4, "cells": [{"source": "x"}]}`,
		`{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}`} {
		if _, err := ReadNotebook([]byte(bad)); err == nil {
			t.Errorf("ReadNotebook(%s) accepted it", bad)
		}
	}
}

func TestRunNotebookInterrupt(t *testing.T) {
	nb, err := ReadNotebook([]byte(`{"nbformat": 4, "nbformat_minor": 5, "metadata": {},
		"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "loop"},
		          {"cell_type": "code", "metadata": {}, "outputs": [], "source": "print next"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ev := &signalingEvaluator{started: make(chan string, 2)}
	done := make(chan error, 1)
	go func() { done <- RunNotebook(context.Background(), ev, nb, RunOptions{AllowErrors: true}) }()
	if code := <-ev.started; code != "loop" {
		t.Fatalf("first cell %q", code)
	}
	time.Sleep(20 * time.Millisecond)
	interrupt.Request()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("an interrupt did not stop the cell")
	}
	if o := nb.Cells[0].Outputs; len(o) != 1 || o[0]["ename"] != "Interrupted" {
		t.Errorf("interrupted cell outputs %v", o)
	}
	if o := nb.Cells[1].Outputs; len(o) != 1 || o[0]["text"] != "next\n" {
		t.Errorf("the cell after an interrupt did not run normally: %v", o)
	}
}

// signalingEvaluator is the fake evaluator that reports each cell as it starts.
type signalingEvaluator struct {
	fakeEvaluator
	started chan string
}

func (e *signalingEvaluator) Execute(ctx context.Context, code string, out session.Output) (*display.Bundle, error) {
	e.started <- code
	return e.fakeEvaluator.Execute(ctx, code, out)
}

func TestCollapseCR(t *testing.T) {
	tests := []struct{ desc, in, want string }{
		{"no carriage return", "a\nb\n", "a\nb\n"},
		{"progress bar redrawn", " 10/100 [=>...]\r 50/100 [===>.]\r100/100 [=====]\n", "100/100 [=====]\n"},
		{"shorter text overwrites the start only", "abcdef\rxy\n", "xycdef\n"},
		{"CRLF is a newline", "a\r\nb\r\n", "a\nb\n"},
		{"trailing CR waits for the next chunk", "50%\r", "50%\r"},
		{"next chunk overwrites", "50%\r" + "99%", "99%"},
		{"lines before and after are kept", "Epoch 1\n1/2\r2/2\nEpoch 2\n", "Epoch 1\n2/2\nEpoch 2\n"},
		{"multi-byte runes", "ééé\rü\n", "üéé\n"},
	}
	for _, tt := range tests {
		if got := collapseCR(tt.in); got != tt.want {
			t.Errorf("%s: collapseCR(%q) = %q, want %q", tt.desc, tt.in, got, tt.want)
		}
	}
}
