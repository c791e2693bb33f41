package session

import "syscall"

// dup2 makes newfd a copy of oldfd (dup3 exists on every Linux architecture; dup2 does not).
func dup2(oldfd, newfd int) error { return syscall.Dup3(oldfd, newfd, 0) }
