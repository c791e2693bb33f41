#!/bin/sh
# Runs godl's real-client tests against a freshly built godl, with the kernelspec
# installed into a temporary Jupyter data directory (nothing outside it is touched).
#
#   tests/run.sh conformance   jupyter_kernel_test suite + protocol checks (python3-jupyter-kernel-test)
#   tests/run.sh nbclient      tests/notebooks/smoke.ipynb through nbclient and jupyter nbconvert --execute
#   tests/run.sh browser       the same notebook in classic Notebook 6.4 in headless chromium (npm playwright-core)
#   tests/run.sh rich          Fit's live view, Evaluate's bar and tensor displays, message by message (rich_test.py)
#   tests/run.sh richbench     Fit's epoch time with the live view (verbose 1) against verbose 0 (not a test)
#   tests/run.sh course        every notebook of the course through nbclient, in fast mode (GODL_FAST=1)
#   tests/run.sh bench         kernel start and trivial-cell round trip medians (not a test)
#   tests/run.sh all           conformance, nbclient, rich, browser and course
#
# GODL=/path/to/godl uses that binary instead of building one. Python is /usr/bin/python3
# (Debian's Jupyter), whatever python3 is first on PATH.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/godl-tests.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM

if [ -z "${GODL:-}" ]; then
	(cd "$root" && go build -o "$work/bin/godl" .)
	GODL="$work/bin/godl"
fi
export GODL
export JUPYTER_DATA_DIR="$work/data"
export JUPYTER_CONFIG_DIR="$work/config"
export JUPYTER_RUNTIME_DIR="$work/runtime"
export IPYTHONDIR="$work/ipython"
export JUPYTER_PLATFORM_DIRS=0
export PYDEVD_DISABLE_FILE_VALIDATION=1
# Only our data dir: no kernelspec from the machine can shadow the one under test.
export JUPYTER_PATH="$work/data"
"$GODL" install --user >/dev/null

py=/usr/bin/python3
run() {
	case "$1" in
	conformance) (cd "$root" && "$py" -m unittest -v tests/conformance_test.py) ;;
	nbclient) "$py" "$root/tests/nbclient_test.py" "$work" ;;
	browser)
		if [ ! -d "$root/tests/browser/node_modules/playwright-core" ]; then
			(cd "$root/tests/browser" && npm ci --no-audit --no-fund --silent)
		fi
		node "$root/tests/browser/notebook_ui.mjs" "$work" ;;
	rich) "$py" "$root/tests/rich_test.py" ;;
	richbench) "$py" "$root/tests/rich_test.py" --measure ;;
	course) "$py" "$root/tests/course_test.py" ;;
	bench) "$py" "$root/tests/bench_kernel.py" ;;
	*) echo "tests/run.sh: unknown suite $1 (want conformance, nbclient, rich, richbench, browser, course, bench or all)" >&2; exit 2 ;;
	esac
}

suite=${1:-all}
if [ "$suite" = all ]; then
	for s in conformance nbclient rich browser course; do
		echo "== $s"
		run "$s"
	done
else
	run "$suite"
fi
