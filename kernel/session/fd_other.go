//go:build !linux && !darwin && !freebsd

package session

import (
	"errors"
	"os"
)

var errNoRedirect = errors.New("session: file descriptor capture is not supported on this system")

func dupFile(fd int, name string) (*os.File, error) { return nil, errNoRedirect }
func dup2(oldfd, newfd int) error                   { return errNoRedirect }
