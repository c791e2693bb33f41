// Command godl is a Jupyter kernel for Go, with a Keras-shaped deep-learning package
// built in. Cells are Go, run by the yaegi interpreter; the standard library and godl's
// own packages (dl, plots, display, ...) are preloaded.
//
// Usage:
//
//	godl install [--user | --sys-prefix | --prefix DIR]
//	godl kernel CONNECTION_FILE
//	godl run NOTEBOOK.ipynb [-o OUT.ipynb] [--allow-errors]
//	godl version
//
// # install
//
// Writes the kernelspec "godl" (display name "Go (godl)", language go, logos) with this
// binary's absolute path, so that Jupyter lists it (jupyter kernelspec list) and
// notebooks can choose it. Reinstalling replaces the earlier spec. Where it goes:
//
//	--user        the user's Jupyter data directory (the default): $JUPYTER_DATA_DIR,
//	              or ~/.local/share/jupyter on Linux, ~/Library/Jupyter on macOS
//	--sys-prefix  share/jupyter under $VIRTUAL_ENV, $CONDA_PREFIX or python3's sys.prefix
//	--prefix DIR  share/jupyter under DIR
//
// It prints the directory it wrote. Move the binary and run install again.
//
// # kernel
//
// Runs the kernel on the sockets named by a Jupyter connection file. Jupyter starts it
// through kernel.json; there is no need to run it by hand. It speaks the Jupyter
// messaging protocol 5.3. SIGINT, like an interrupt request, stops the running cell;
// SIGTERM ends the kernel. The kernel's own log goes to standard error as the process
// started (cells' output is captured and sent to the notebook instead).
//
// # run
//
// Executes a notebook with no Jupyter installed: the code cells run in order in one
// session, each cell's text output is printed as it comes, and the executed notebook,
// with its rich outputs (images, HTML, execute results), is written to OUT.ipynb, by
// default NOTEBOOK.out.ipynb beside the input. A cell that reads standard input reads a
// line of godl's standard input. godl run stops at the first cell error and exits with
// status 1, after writing the cells run so far; with --allow-errors it runs every cell,
// and still exits with status 1 if any failed. Ctrl-C interrupts the running cell.
//
// # version
//
// Prints the godl version and the Go version it was built with.
//
// # Environment
//
//	JUPYTER_DATA_DIR   where godl install --user writes (Jupyter's own variable)
//	VIRTUAL_ENV, CONDA_PREFIX
//	                   the prefix of godl install --sys-prefix
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"godl.dev/godl/install"
	"godl.dev/godl/interrupt"
	"godl.dev/godl/kernel"
)

// version is stamped at build time with -ldflags "-X main.version=v1.2.3".
var version = ""

func godlVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

const usage = `godl is a Jupyter kernel for Go with a deep-learning package built in.

Usage:
	godl install [--user | --sys-prefix | --prefix DIR]
	godl kernel CONNECTION_FILE
	godl run NOTEBOOK.ipynb [-o OUT.ipynb] [--allow-errors]
	godl version

Run "godl COMMAND -h" for a command's flags.
`

func main() {
	log.SetFlags(0)
	log.SetPrefix("godl: ")
	// Errors go to a copy of standard error, which a session's capture of descriptor 2
	// does not reach.
	log.SetOutput(savedStderr())
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	cmd, args := os.Args[1], os.Args[2:]
	var err error
	switch cmd {
	case "install":
		err = runInstall(args)
	case "kernel":
		err = runKernel(args)
	case "run":
		err = runNotebook(args)
	case "version":
		fmt.Printf("godl %s (%s %s/%s)\n", godlVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	case "help", "-h", "-help", "--help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "godl: unknown command %q\n\n%s", cmd, usage)
		os.Exit(2)
	}
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(2)
	}
	var cellErr *kernel.CellFailedError
	if errors.As(err, &cellErr) {
		// The cell's error and traceback are already on standard error.
		log.Printf("stopped at cell %d (its error is above)", cellErr.Cell)
		os.Exit(1)
	}
	if err != nil {
		log.Print(err)
		os.Exit(1)
	}
}

// parseInterspersed parses flags that may come before or after the positional
// arguments, as in "godl run nb.ipynb -o out.ipynb", and returns the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func runInstall(args []string) error {
	fs := flag.NewFlagSet("install", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: godl install [--user | --sys-prefix | --prefix DIR]")
		fs.PrintDefaults()
	}
	user := fs.Bool("user", false, "install into the user's Jupyter data directory (default; honours JUPYTER_DATA_DIR)")
	sysPrefix := fs.Bool("sys-prefix", false, "install into the Python environment's prefix (VIRTUAL_ENV, CONDA_PREFIX or python3's)")
	prefix := fs.String("prefix", "", "install into `DIR`/share/jupyter/kernels")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		fs.Usage()
		return fmt.Errorf("install: unexpected arguments %q", rest)
	}
	opts := install.Options{Where: install.User}
	n := 0
	if *user {
		n++
	}
	if *sysPrefix {
		n++
		opts.Where = install.SysPrefix
	}
	if *prefix != "" {
		n++
		opts.Where, opts.Prefix = install.Prefix, *prefix
	}
	if n > 1 {
		return errors.New("install: give only one of --user, --sys-prefix and --prefix")
	}
	dir, err := install.Install(opts)
	if err != nil {
		return err
	}
	fmt.Printf("installed kernelspec godl (Go (godl)) in %s\n", dir)
	return nil
}

func runKernel(args []string) error {
	fs := flag.NewFlagSet("kernel", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintln(fs.Output(), "usage: godl kernel CONNECTION_FILE") }
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errors.New("kernel: want one connection file")
	}
	// The session captures file descriptors 1 and 2 for the cells; the kernel logs to a
	// copy of standard error made before that.
	logger := log.New(savedStderr(), "godl: ", log.LstdFlags)
	ev, err := newEvaluator()
	if err != nil {
		return err
	}
	_, err = kernel.Serve(context.Background(), rest[0], kernel.Options{
		Evaluator: ev, Logger: logger, Version: godlVersion()})
	return err
}

func runNotebook(args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: godl run NOTEBOOK.ipynb [-o OUT.ipynb] [--allow-errors]")
		fs.PrintDefaults()
	}
	out := fs.String("o", "", "write the executed notebook to `OUT.ipynb` (default NOTEBOOK.out.ipynb)")
	allowErrors := fs.Bool("allow-errors", false, "run every cell even after one fails")
	rest, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		fs.Usage()
		return errors.New("run: want one notebook")
	}
	in := rest[0]
	if *out == "" {
		*out = strings.TrimSuffix(in, filepath.Ext(in)) + ".out.ipynb"
	}
	data, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	nb, err := kernel.ReadNotebook(data)
	if err != nil {
		return fmt.Errorf("run: %s: %w", in, err)
	}
	// Text goes to copies of the terminal's descriptors, since the session captures 1 and 2.
	stdout, stderr := savedStdout(), savedStderr()
	ev, err := newEvaluator()
	if err != nil {
		return err
	}
	stop := interrupt.NotifyOnSignal()
	defer stop()
	runErr := kernel.RunNotebook(context.Background(), ev, nb, kernel.RunOptions{
		Stdout: stdout, Stderr: stderr, Stdin: os.Stdin, AllowErrors: *allowErrors})
	if err := kernel.WriteNotebook(*out, nb); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "godl: wrote %s\n", *out)
	if runErr == nil && *allowErrors && anyError(nb) {
		runErr = errors.New("run: some cells failed")
	}
	return runErr
}

func anyError(nb *kernel.Notebook) bool {
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if o["output_type"] == "error" {
				return true
			}
		}
	}
	return false
}
