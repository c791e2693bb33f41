package jupyter

import (
	"encoding/json"
	"fmt"
	"os"
)

// ConnectionInfo is the content of a kernel connection file, written by the frontend (or
// the kernel manager) before it starts the kernel.
type ConnectionInfo struct {
	// Transport is "tcp" or "ipc".
	Transport string `json:"transport"`
	// IP is the address to bind, such as "127.0.0.1"; for "ipc" it is a path prefix.
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	SignatureScheme string `json:"signature_scheme"`
	// Key is the HMAC key. An empty key disables signing, as the protocol allows.
	Key        string `json:"key"`
	KernelName string `json:"kernel_name,omitempty"`
}

// ReadConnectionFile reads and checks the connection file at path.
func ReadConnectionFile(path string) (*ConnectionInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("jupyter: reading connection file: %w", err)
	}
	var info ConnectionInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return nil, fmt.Errorf("jupyter: connection file %s is not valid JSON: %w", path, err)
	}
	if err := info.Validate(); err != nil {
		return nil, fmt.Errorf("jupyter: connection file %s: %w", path, err)
	}
	return &info, nil
}

// Validate reports whether the transport, address, ports and signature scheme are usable.
// An empty transport means "tcp", and an empty scheme means "hmac-sha256".
func (c *ConnectionInfo) Validate() error {
	if c.Transport == "" {
		c.Transport = "tcp"
	}
	if c.Transport != "tcp" && c.Transport != "ipc" {
		return fmt.Errorf("transport %q is not supported (want tcp or ipc)", c.Transport)
	}
	if c.IP == "" {
		return fmt.Errorf("no ip given")
	}
	if c.SignatureScheme == "" {
		c.SignatureScheme = "hmac-sha256"
	}
	if c.SignatureScheme != "hmac-sha256" {
		return fmt.Errorf("signature scheme %q is not supported (want hmac-sha256)", c.SignatureScheme)
	}
	for _, p := range []struct {
		name string
		port int
	}{{"shell_port", c.ShellPort}, {"control_port", c.ControlPort}, {"stdin_port", c.StdinPort},
		{"iopub_port", c.IOPubPort}, {"hb_port", c.HBPort}} {
		if p.port <= 0 || p.port > 65535 {
			return fmt.Errorf("%s %d is not a port number", p.name, p.port)
		}
	}
	return nil
}

// Endpoint returns the ZeroMQ address of one port, such as "tcp://127.0.0.1:5555" or, for
// the ipc transport, "ipc://kernel-ipc-5555".
func (c *ConnectionInfo) Endpoint(port int) string {
	if c.Transport == "ipc" {
		return fmt.Sprintf("ipc://%s-%d", c.IP, port)
	}
	return fmt.Sprintf("%s://%s:%d", c.Transport, c.IP, port)
}
