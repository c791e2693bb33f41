//go:build unix

package main

import (
	"os"
	"sync"
	"syscall"
)

var (
	stdoutOnce, stderrOnce sync.Once
	stdoutCopy, stderrCopy *os.File
)

// savedStdout returns a copy of file descriptor 1 made at its first call, which keeps
// writing to the terminal after a session redirects descriptor 1 into a pipe.
func savedStdout() *os.File {
	stdoutOnce.Do(func() { stdoutCopy = dup(os.Stdout) })
	return stdoutCopy
}

// savedStderr is savedStdout for descriptor 2.
func savedStderr() *os.File {
	stderrOnce.Do(func() { stderrCopy = dup(os.Stderr) })
	return stderrCopy
}

func dup(f *os.File) *os.File {
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		return f
	}
	syscall.CloseOnExec(fd)
	return os.NewFile(uintptr(fd), f.Name())
}
