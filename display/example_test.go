package display_test

import (
	"fmt"
	"sort"

	"godl.dev/godl/display"
)

// Greeting renders itself as HTML, as a type declared in a notebook cell can.
type Greeting string

func (g Greeting) HTML() string   { return "<h1>" + string(g) + "</h1>" }
func (g Greeting) String() string { return string(g) + "!" }

func ExampleRender() {
	b := display.Render(Greeting("hello"))
	var mimes []string
	for m := range b.Data {
		mimes = append(mimes, m)
	}
	sort.Strings(mimes)
	for _, m := range mimes {
		fmt.Printf("%s: %v\n", m, b.Data[m])
	}
	// Output:
	// text/html: <h1>hello</h1>
	// text/plain: hello!
}

// printSink shows what a kernel's sink receives.
type printSink struct{}

func (printSink) Display(b display.Bundle) { fmt.Println("display", b.Data[display.MIMEText]) }
func (printSink) Update(b display.Bundle)  { fmt.Println("update", b.Data[display.MIMEText]) }
func (printSink) ClearOutput(wait bool)    { fmt.Println("clear", wait) }

func ExampleHandle() {
	prev := display.SetSink(printSink{})
	defer display.SetSink(prev)

	h := display.NewHandle()
	for epoch := 1; epoch <= 3; epoch++ {
		h.Show(display.Text(fmt.Sprintf("epoch %d/3", epoch)))
	}
	// Output:
	// display epoch 1/3
	// update epoch 2/3
	// update epoch 3/3
}

func ExampleShow() {
	// Outside a kernel, the default sink prints the text/plain form.
	display.Show(display.Markdown("# Results"), 42)
	// Output:
	// # Results
	// 42
}
