package install_test

import (
	"encoding/json"
	"fmt"

	"godl.dev/godl/install"
)

func ExampleNewSpec() {
	spec := install.NewSpec("/home/me/go/bin/godl")
	data, _ := json.MarshalIndent(spec, "", "  ")
	fmt.Println(string(data))
	// Output:
	// {
	//   "argv": [
	//     "/home/me/go/bin/godl",
	//     "kernel",
	//     "{connection_file}"
	//   ],
	//   "display_name": "Go (godl)",
	//   "language": "go",
	//   "interrupt_mode": "message",
	//   "metadata": {
	//     "debugger": false
	//   }
	// }
}
