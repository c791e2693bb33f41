// Package celltest checks that dl's API works from notebook cells: its test evaluates cell
// code with yaegi and the generated symbol tables of package stdlib, as the kernel does.
package celltest
