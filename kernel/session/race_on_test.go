//go:build race

package session

// raceEnabled is true under the race detector, which reports races inside yaegi between an
// evaluation and goroutines left running by earlier evaluations (cells' goroutines, an
// interrupted evaluation): yaegi resizes its global frame without synchronisation.
const raceEnabled = true
