//go:build unix

package interrupt

import (
	"os"
	"syscall"
	"testing"
	"time"
)

func TestNotifyOnSignal(t *testing.T) {
	Begin()
	stop := NotifyOnSignal()
	defer stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !Requested() {
		if time.Now().After(deadline) {
			t.Fatal("SIGINT did not request an interrupt within 5 s")
		}
		time.Sleep(time.Millisecond)
	}
	Begin()
}
