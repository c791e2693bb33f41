package main

import (
	"godl.dev/godl/kernel"
	"godl.dev/godl/kernel/session"
)

// newEvaluator returns a fresh yaegi session that captures file descriptors 1 and 2, so
// that compiled code's output reaches the notebook too.
func newEvaluator() (kernel.Evaluator, error) {
	return session.New(session.Options{CaptureFDs: true})
}
