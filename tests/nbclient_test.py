"""Runs tests/notebooks/smoke.ipynb with the godl kernel through nbclient, through
`jupyter nbconvert --execute`, and through `godl run`, and checks the outputs of each.

Usage (tests/run.sh nbclient does this): nbclient_test.py WORKDIR, with the kernelspec
godl installed and $GODL naming the binary.
"""

import base64
import os
import subprocess
import sys

import nbformat
from nbclient import NotebookClient

HERE = os.path.dirname(os.path.abspath(__file__))
SMOKE = os.path.join(HERE, "notebooks", "smoke.ipynb")


def check(nb, how):
    """Checks the executed smoke notebook; raises AssertionError naming what is wrong."""
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 3, how

    def outputs(i, kind):
        return [o for o in code[i].outputs if o.output_type == kind]

    for i, c in enumerate(code):
        errors = outputs(i, "error")
        assert not errors, "%s: cell %d failed: %s" % (how, i, errors)
    text = "".join(o.text for o in outputs(0, "stream") if o.name == "stdout")
    assert text == "hello from godl\n", "%s: cell 0 printed %r" % (how, text)
    results = outputs(1, "execute_result")
    assert len(results) == 1 and results[0].data["text/plain"] == "42", "%s: cell 1: %r" % (how, code[1].outputs)
    displays = outputs(2, "display_data")
    assert len(displays) == 1 and "image/png" in displays[0].data, "%s: cell 2: %r" % (how, code[2].outputs)
    png = base64.b64decode(displays[0].data["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n"), "%s: cell 2 image/png is not a PNG" % how
    assert [c.execution_count for c in code] == [1, 2, 3], "%s: counts %r" % (how, [c.execution_count for c in code])
    print("ok   %s" % how)


def main():
    work = sys.argv[1]
    godl = os.environ.get("GODL", "godl")

    nb = nbformat.read(SMOKE, as_version=4)
    NotebookClient(nb, kernel_name="godl", timeout=120, startup_timeout=60).execute()
    check(nb, "nbclient")

    out = os.path.join(work, "nbconvert")
    subprocess.run(["jupyter", "nbconvert", "--to", "notebook", "--execute",
                    "--ExecutePreprocessor.kernel_name=godl", "--ExecutePreprocessor.timeout=120",
                    "--output-dir", out, SMOKE], check=True)
    executed = nbformat.read(os.path.join(out, "smoke.ipynb"), as_version=4)
    nbformat.validate(executed)
    check(executed, "jupyter nbconvert --execute")

    out = os.path.join(work, "godl-run.ipynb")
    run = subprocess.run([godl, "run", SMOKE, "-o", out], capture_output=True, text=True)
    assert run.returncode == 0, "godl run failed: %s %s" % (run.stdout, run.stderr)
    assert "hello from godl\n42\n" in run.stdout, "godl run printed %r" % run.stdout
    executed = nbformat.read(out, as_version=4)
    nbformat.validate(executed)
    check(executed, "godl run")


if __name__ == "__main__":
    main()
