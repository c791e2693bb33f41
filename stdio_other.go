//go:build !unix

package main

import "os"

// savedStdout returns standard output; descriptor-level capture is Unix-only.
func savedStdout() *os.File { return os.Stdout }

// savedStderr returns standard error; descriptor-level capture is Unix-only.
func savedStderr() *os.File { return os.Stderr }
