//go:build ignore

// gen.go regenerates this directory's symbol tables; `go generate ./stdlib` runs it.
package main

import (
	"log"

	"godl.dev/godl/stdlib/internal/symgen"
)

func main() {
	if err := symgen.Generate("."); err != nil {
		log.Fatal(err)
	}
}
