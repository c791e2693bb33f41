package jupyter

import (
	"bytes"
	"context"
	"io"
	"log"
	"net"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
)

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestServerOverSockets drives a Server through real ZeroMQ sockets, as a frontend does:
// a good request is served and answered, bad ones are dropped without ending the server,
// IOPub reaches a subscriber, and the heartbeat echoes.
func TestServerOverSockets(t *testing.T) {
	info := &ConnectionInfo{Transport: "tcp", IP: "127.0.0.1", Key: string(testKey),
		ShellPort: freePort(t), ControlPort: freePort(t), StdinPort: freePort(t),
		IOPubPort: freePort(t), HBPort: freePort(t)}
	srv, err := Listen(info, log.New(io.Discard, "", 0))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan *Message, 4)
	handler := HandlerFunc(func(ch Channel, msg *Message) {
		if msg.Type() == "panic_request" {
			panic("handler bug")
		}
		served <- msg
		reply, _ := NewMessage(KernelInfoReply, "kernel", msg, KernelInfo{Status: StatusOK})
		srv.Send(ch, reply)
		status, _ := NewMessage(Status, "kernel", msg, StatusContent{ExecutionState: StateIdle})
		srv.Send(IOPub, status)
	})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, handler) }()

	cctx, ccancel := context.WithTimeout(ctx, 10*time.Second)
	defer ccancel()
	dealer := zmq4.NewDealer(cctx, zmq4.WithID(zmq4.SocketIdentity("client-1")))
	defer dealer.Close()
	if err := dealer.Dial(info.Endpoint(info.ShellPort)); err != nil {
		t.Fatal(err)
	}
	sub := zmq4.NewSub(cctx)
	defer sub.Close()
	if err := sub.Dial(info.Endpoint(info.IOPubPort)); err != nil {
		t.Fatal(err)
	}
	sub.SetOption(zmq4.OptionSubscribe, "")
	hb := zmq4.NewReq(cctx)
	defer hb.Close()
	if err := hb.Dial(info.Endpoint(info.HBPort)); err != nil {
		t.Fatal(err)
	}

	signer := NewSigner(testKey)
	send := func(frames [][]byte) {
		t.Helper()
		if err := dealer.Send(zmq4.NewMsgFrom(frames...)); err != nil {
			t.Fatal(err)
		}
	}
	// Bad messages first: a wrong signature, truncated frames, a handler panic.
	send(readFrames(t, "testdata/bad-signature.json")[1:])
	send(readFrames(t, "testdata/bad-truncated.json")[1:])
	bad, _ := NewMessage("panic_request", "client", nil, nil)
	frames, _ := Encode(bad, signer)
	send(frames)
	// Then a good one, which must be the first one served.
	req, _ := NewMessage(KernelInfoRequest, "client", nil, nil)
	frames, _ = Encode(req, signer)
	send(frames)

	select {
	case got := <-served:
		if got.Header.MsgID != req.Header.MsgID || string(got.Identities[0]) != "client-1" {
			t.Errorf("served %+v with identities %q", got.Header, got.Identities)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the good request was not served")
	}
	zm, err := dealer.Recv()
	if err != nil {
		t.Fatal(err)
	}
	reply, err := Decode(zm.Frames, signer)
	if err != nil {
		t.Fatalf("reply: %v", err)
	}
	if reply.Type() != KernelInfoReply || reply.Parent.MsgID != req.Header.MsgID {
		t.Errorf("reply %+v parent %+v", reply.Header, reply.Parent)
	}
	if n := srv.Dropped(); n != 2 {
		t.Errorf("Dropped = %d, want 2", n)
	}

	// IOPub: subscriptions propagate asynchronously, so the first status may be missed;
	// resend until one arrives.
	got := make(chan *Message, 1)
	go func() {
		zm, err := sub.Recv()
		if err != nil {
			return
		}
		m, err := Decode(zm.Frames, signer)
		if err == nil {
			got <- m
		}
	}()
	deadline := time.After(5 * time.Second)
loop:
	for {
		st, _ := NewMessage(Status, "kernel", req, StatusContent{ExecutionState: StateBusy})
		srv.Send(IOPub, st)
		select {
		case m := <-got:
			if m.Type() != Status || string(m.Identities[0]) != "kernel.status" {
				t.Errorf("iopub message %+v topic %q", m.Header, m.Identities)
			}
			break loop
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatal("no IOPub message arrived")
		}
	}

	if err := hb.Send(zmq4.NewMsg([]byte("ping"))); err != nil {
		t.Fatal(err)
	}
	echo, err := hb.Recv()
	if err != nil || !bytes.Equal(echo.Bytes(), []byte("ping")) {
		t.Errorf("heartbeat echo %q, %v", echo.Bytes(), err)
	}

	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}

func TestConnectionFile(t *testing.T) {
	bad := []ConnectionInfo{
		{Transport: "udp", IP: "127.0.0.1", ShellPort: 1, ControlPort: 2, StdinPort: 3, IOPubPort: 4, HBPort: 5},
		{IP: "", ShellPort: 1, ControlPort: 2, StdinPort: 3, IOPubPort: 4, HBPort: 5},
		{IP: "127.0.0.1", ShellPort: 0, ControlPort: 2, StdinPort: 3, IOPubPort: 4, HBPort: 5},
		{IP: "127.0.0.1", SignatureScheme: "hmac-md5", ShellPort: 1, ControlPort: 2, StdinPort: 3, IOPubPort: 4, HBPort: 5},
	}
	for _, c := range bad {
		if err := c.Validate(); err == nil {
			t.Errorf("Validate(%+v) accepted it", c)
		}
	}
	c := ConnectionInfo{IP: "127.0.0.1", ShellPort: 1, ControlPort: 2, StdinPort: 3, IOPubPort: 4, HBPort: 5}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if ep := c.Endpoint(1); ep != "tcp://127.0.0.1:1" {
		t.Errorf("Endpoint = %s", ep)
	}
}
