// Package display shows rich output (HTML, Markdown, images, SVG, JSON) from Go code running in
// a notebook, and plain text everywhere else.
//
// It is a leaf package: dl, plots and cells call it, and the Jupyter kernel plugs itself in with
// SetSink. Outside a kernel the same calls print the text/plain form of each output.
package display
