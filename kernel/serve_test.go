package kernel

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"

	"godl.dev/godl/jupyter"
)

// TestServe runs a kernel from a connection file over real sockets, as Jupyter does:
// a cell executes, a cell stuck in a loop is interrupted from control, and a shutdown
// with restart ends Serve even while a cell would not stop.
func TestServe(t *testing.T) {
	ports := make([]int, 5)
	for i := range ports {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ports[i] = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	info := jupyter.ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: "secret", SignatureScheme: "hmac-sha256",
		ShellPort: ports[0], ControlPort: ports[1], StdinPort: ports[2], IOPubPort: ports[3], HBPort: ports[4]}
	data, _ := json.Marshal(info)
	path := filepath.Join(t.TempDir(), "kernel.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}

	type result struct {
		restart bool
		err     error
	}
	served := make(chan result, 1)
	go func() {
		restart, err := Serve(context.Background(), path, Options{Evaluator: fakeEvaluator{},
			Logger: log.New(io.Discard, "", 0), Interrupt: func() {}, BeginCell: func() {}})
		served <- result{restart, err}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	dial := func(s zmq4.Socket, port int) zmq4.Socket {
		t.Helper()
		if err := s.Dial(info.Endpoint(port)); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	shell := dial(zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("fe")), zmq4.WithDialerRetry(20*time.Millisecond)), info.ShellPort)
	control := dial(zmq4.NewDealer(ctx, zmq4.WithID(zmq4.SocketIdentity("fe")), zmq4.WithDialerRetry(20*time.Millisecond)), info.ControlPort)
	signer := jupyter.NewSigner([]byte(info.Key))

	send := func(s zmq4.Socket, msgType string, content any) *jupyter.Message {
		t.Helper()
		m, _ := jupyter.NewMessage(msgType, "client", nil, content)
		frames, _ := jupyter.Encode(m, signer)
		if err := s.Send(zmq4.NewMsgFrom(frames...)); err != nil {
			t.Fatal(err)
		}
		return m
	}
	recv := func(s zmq4.Socket, parent *jupyter.Message) *jupyter.Message {
		t.Helper()
		for {
			zm, err := s.Recv()
			if err != nil {
				t.Fatal(err)
			}
			m, err := jupyter.Decode(zm.Frames, signer)
			if err != nil {
				t.Fatal(err)
			}
			if m.Parent.MsgID == parent.Header.MsgID {
				return m
			}
		}
	}

	req := send(shell, jupyter.ExecuteRequest, jupyter.ExecuteRequestContent{Code: "value 7", StoreHistory: true})
	var reply jupyter.ExecuteReplyContent
	recv(shell, req).DecodeContent(&reply)
	if reply.Status != "ok" || reply.ExecutionCount != 1 {
		t.Errorf("execute_reply = %+v", reply)
	}

	loop := send(shell, jupyter.ExecuteRequest, jupyter.ExecuteRequestContent{Code: "loop"})
	time.Sleep(50 * time.Millisecond)
	intr := send(control, jupyter.InterruptRequest, nil)
	if m := recv(control, intr); m.Type() != jupyter.InterruptReply {
		t.Errorf("control answered %s", m.Type())
	}
	recv(shell, loop).DecodeContent(&reply)
	if reply.Status != "error" || reply.Ename != "Interrupted" {
		t.Errorf("interrupted cell reply = %+v", reply)
	}

	// A cell that ignores interrupts must not keep the kernel alive after a shutdown.
	send(shell, jupyter.ExecuteRequest, jupyter.ExecuteRequestContent{Code: "hang"})
	time.Sleep(50 * time.Millisecond)
	shut := send(control, jupyter.ShutdownRequest, jupyter.ShutdownContent{Restart: true})
	if m := recv(control, shut); m.Type() != jupyter.ShutdownReply {
		t.Errorf("control answered %s", m.Type())
	}
	select {
	case r := <-served:
		if r.err != nil || !r.restart {
			t.Errorf("Serve = %v, %v; want true, nil", r.restart, r.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after shutdown")
	}
}
