// Package celltest checks that dl's API works from notebook cells: its tests evaluate cell
// code with yaegi and the generated symbol tables of package stdlib, as the kernel does.
// Run and WantLines are the helpers for that, for other packages' cell tests too.
package celltest
