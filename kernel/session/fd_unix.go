//go:build linux || darwin || freebsd

package session

import (
	"fmt"
	"os"
	"syscall"
)

// dupFile returns a new *os.File for a duplicate of fd.
func dupFile(fd int, name string) (*os.File, error) {
	nfd, err := syscall.Dup(fd)
	if err != nil {
		return nil, fmt.Errorf("session: duplicating fd %d: %w", fd, err)
	}
	syscall.CloseOnExec(nfd)
	return os.NewFile(uintptr(nfd), name), nil
}
