// Package display shows rich output (HTML, Markdown, images, SVG, JSON) from Go code running in
// a notebook, and plain text everywhere else.
//
// It is a leaf package: dl, plots and cells call it, and the Jupyter kernel plugs itself in with
// SetSink. Outside a kernel the same calls print the text/plain form of each output.
//
// # Showing things
//
// Constructors build a Bundle from content in one format; Display sends bundles to the sink:
//
//	display.Display(display.HTML("<b>bold</b>"), display.Markdown("# Title"))
//	display.Show(img) // an image.Image becomes a PNG
//
// Show renders any value with Render: a Bundle is shown as it is, a value that implements one
// or more of the rendering interfaces below shows those forms, an image.Image becomes a PNG,
// and anything else is formatted with fmt.
//
// # Values that render themselves
//
// A type displays itself by implementing one or more one-method interfaces, found by type
// assertion: MIMEBundler (full control), HTMLer, Markdowner, SVGer, PNGer, JPEGer and
// JSONer. A model summary, a training history or a tensor implements them; so can a type
// declared in a notebook cell. The kernel uses Render for a cell's last expression, so
//
//	type Greeting string
//	func (g Greeting) HTML() string { return "<h1>" + string(g) + "</h1>" }
//	Greeting("hi")
//
// shows a heading. text/plain is always present: from String when the value is a
// fmt.Stringer, otherwise from fmt's %v.
//
// # Updating in place
//
// A Handle is a display that can be replaced later (Jupyter's display_id), for progress
// bars and live curves:
//
//	h := display.NewHandle()
//	h.Show(display.Text("epoch 1/5"))
//	h.Show(display.Text("epoch 2/5")) // replaces the first output
package display
