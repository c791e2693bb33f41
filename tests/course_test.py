"""Executes every notebook of the course (notebooks/*.ipynb) with the godl kernel through
nbclient, in fast mode (GODL_FAST=1: fewer epochs), and checks that no cell fails and that
each notebook shows what it must: its printed figures and its rich outputs.

Usage (tests/run.sh course does this): course_test.py, with the kernelspec godl installed.
"""

import glob
import os
import sys
import time

import nbformat
from nbclient import NotebookClient

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What each notebook must show in fast mode: text its outputs contain, and MIME types that
# at least one output carries. A notebook missing from this table fails the test, so a new
# notebook comes with its expectations.
EXPECT = {
    "ch2_nb1_mnist_keras.ipynb": {
        "text": ["Train on 60000 samples, validate on 10000 samples",
                 "Total params: 101,770", "dense (Dense)                (None, 128)               100480"],
        "mime": ["image/png"],
    },
}


def texts(nb):
    """Yields every text an executed notebook's outputs carry."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                yield out.text
            elif out.output_type in ("execute_result", "display_data"):
                yield out.data.get("text/plain", "")


def mimes(nb):
    return {m for cell in nb.cells for out in cell.get("outputs", [])
            if out.output_type in ("execute_result", "display_data") for m in out.data}


def main():
    os.environ["GODL_FAST"] = "1"  # inherited by the kernel process
    paths = sorted(glob.glob(os.path.join(ROOT, "notebooks", "*.ipynb")))
    assert paths, "no notebooks in notebooks/"
    failed = 0
    for path in paths:
        name = os.path.basename(path)
        start = time.monotonic()
        try:
            want = EXPECT.get(name)
            assert want is not None, "no expectations listed for it in tests/course_test.py"
            nb = nbformat.read(path, as_version=4)
            NotebookClient(nb, kernel_name="godl", timeout=600, startup_timeout=60,
                           resources={"metadata": {"path": os.path.dirname(path)}}).execute()
            errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
            assert not errors, "a cell failed: %s: %s" % (errors[0].ename, errors[0].evalue)
            alltext = "".join(texts(nb))
            for t in want["text"]:
                assert t in alltext, "no output contains %r" % t
            missing = set(want["mime"]) - mimes(nb)
            assert not missing, "no output of type %s" % ", ".join(sorted(missing))
            print("ok   %s (%.1f s)" % (name, time.monotonic() - start))
        except Exception as e:  # report every notebook, then fail
            failed += 1
            print("FAIL %s: %s" % (name, e))
    print("%d passed, %d failed" % (len(paths) - failed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
