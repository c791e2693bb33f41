#!/bin/sh
# Runs the course's notebooks in full (GODL_FAST unset, the book's epochs and data) with
# "godl run", saving each one's outputs in place, and prints how long each took. This is how
# the outputs saved in notebooks/ are produced; it takes tens of minutes on a 2-core CPU.
#
#   tests/course_full.sh                      every notebook in notebooks/
#   tests/course_full.sh ch3_nb3 ch4_nb5      the notebooks whose names start with these
#
# GODL=/path/to/godl uses that binary instead of building one. A notebook whose cell fails
# is still saved (with the error, for inspection); the script then exits with status 1.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${GODL:-}" ]; then
	work=$(mktemp -d "${TMPDIR:-/tmp}/godl-course.XXXXXX")
	trap 'rm -rf "$work"' EXIT INT TERM
	(cd "$root" && go build -o "$work/godl" .)
	GODL="$work/godl"
fi
unset GODL_FAST

cd "$root/notebooks"
failed=0
total_start=$(date +%s)
for nb in *.ipynb; do
	if [ $# -gt 0 ]; then
		want=no
		for prefix in "$@"; do
			case "$nb" in "$prefix"*) want=yes ;; esac
		done
		[ "$want" = yes ] || continue
	fi
	echo "== $nb"
	start=$(date +%s)
	if "$GODL" run "$nb" -o "$nb"; then status=ok; else status=FAILED; failed=1; fi
	echo "== $nb: $status in $(($(date +%s) - start)) s"
done
echo "== course: $(($(date +%s) - total_start)) s"
exit $failed
