package session_test

import (
	"context"
	"errors"
	"fmt"

	"godl.dev/godl/display"
	"godl.dev/godl/kernel/session"
)

// printOutput is the smallest session.Output: it prints what a cell emits.
type printOutput struct{}

func (printOutput) Stream(name, text string)           { fmt.Printf("[%s] %s", name, text) }
func (printOutput) Display(b display.Bundle)           { fmt.Println("[display]", b.Data[display.MIMEText]) }
func (printOutput) Update(b display.Bundle)            { fmt.Println("[update]", b.Data[display.MIMEText]) }
func (printOutput) ClearOutput(wait bool)              {}
func (printOutput) Input(string, bool) (string, error) { return "", errors.New("no input here") }

func Example() {
	s, err := session.New(session.Options{})
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, cell := range []string{
		"type Point struct{ X, Y float64 }\nfunc (p Point) Norm() float64 { return math.Hypot(p.X, p.Y) }",
		"p := Point{3, 4}\nfmt.Println(\"norm of\", p)\np.Norm()",
		"p.Z",
	} {
		res, err := s.Execute(ctx, cell, printOutput{})
		switch {
		case err != nil:
			fmt.Println("error:", err.(*session.CellError).Value)
		case res != nil:
			fmt.Println("result:", res.Data[display.MIMEText])
		}
	}
	// Output:
	// [stdout] norm of {3 4}
	// result: 5
	// error: cell3.go:1:3: undefined selector Z
}
