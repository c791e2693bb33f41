"""Checks godl's rich output through a real kernel and jupyter_client: the messages a cell's
training, evaluation and tensor values produce on IOPub.

  - Fit (verbose 1) makes two displays, the log with its progress bar and the curves; the
    log is updated at most 4 times a second (plus each epoch's begin and end), the curves
    once per later epoch only, and the log's final state holds every epoch's line.
  - FitDataset's log counts steps; Evaluate shows one bar display; nothing is printed.
  - A notebook executed by nbclient or `godl run` keeps both displays' final states.
  - The TensorBoard callback works from a cell.
  - A tensor as a cell's value is an HTML table with the numpy-like text; a uint8 image
    tensor a PNG; display.Show(t) the same as a display_data.

With --measure it instead times Fit epochs with verbose 1 (the live view) against
verbose 0 in the same kernel, alternating, RUNS pairs (default 7), and prints the medians
(not a test).

Usage (tests/run.sh rich does this): rich_test.py [--measure], with the kernelspec godl
installed.
"""

import base64
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from queue import Empty

import nbformat
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient


# A logged value, as Keras formats it: 0.1234, or 1.2340e-04 at most 1e-3.
V = r"(?:\d+\.\d{4}|\d\.\d{4}e[-+]\d\d)"


def start():
    km = KernelManager(kernel_name="godl")
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    return km, kc


def run(kc, code, timeout=300):
    """Runs code; returns its IOPub messages (status and execute_input left out), and
    raises on an error."""
    msg_id = kc.execute(code)
    msgs = []
    deadline = time.monotonic() + timeout
    while True:
        try:
            m = kc.get_iopub_msg(timeout=max(deadline - time.monotonic(), 0.1))
        except Empty:
            raise AssertionError("no idle status for %r in %d s" % (code[:60], timeout))
        if m["parent_header"].get("msg_id") != msg_id:
            continue
        t = m["msg_type"]
        if t == "status":
            if m["content"]["execution_state"] == "idle":
                break
            continue
        if t == "execute_input":
            continue
        if t == "error":
            raise AssertionError("cell %r failed: %s: %s" % (code[:60], m["content"]["ename"], m["content"]["evalue"]))
        msgs.append(m)
    return msgs


def of(msgs, kind):
    return [m for m in msgs if m["msg_type"] == kind]


def display_id(m):
    return m["content"].get("transient", {}).get("display_id")


SETUP = """
dl.SetSeed(1)
x := dl.RandomUniform(0, 1, 24000, 256)
y := x.SliceAxis(1, 0, 10).ArgMax(1)
mk := func() *dl.Sequential {
	m := dl.NewSequential(layers.Dense(256, layers.ReLU), layers.Dense(10, layers.Softmax))
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	return m
}
model := mk()
"""


def check_fit(kc):
    epochs = 3
    t0 = time.monotonic()
    msgs = run(kc, "h := model.Fit(x, y, dl.Epochs(%d), dl.ValidationSplit(0.2))" % epochs)
    elapsed = time.monotonic() - t0
    assert not of(msgs, "stream"), "Fit printed %r" % of(msgs, "stream")
    shown = of(msgs, "display_data")
    assert len(shown) == 2, "Fit made %d display_data, want 2 (log and curves)" % len(shown)
    log_id, curves_id = display_id(shown[0]), display_id(shown[1])
    assert log_id and curves_id and log_id != curves_id, "display ids %r %r" % (log_id, curves_id)
    assert "image/png" not in shown[0]["content"]["data"], "the log display carries an image"
    assert "image/png" in shown[1]["content"]["data"], "the curves display has no PNG"
    updates = of(msgs, "update_display_data")
    log_updates = [m for m in updates if display_id(m) == log_id]
    curve_updates = [m for m in updates if display_id(m) == curves_id]
    assert len(log_updates) + len(curve_updates) == len(updates), "updates of unknown displays"
    bound = 2 * epochs + int(elapsed * 4) + 1
    # At least each epoch's end (the kernel merges updates of a display closer than 50 ms,
    # such as an epoch's end and the next one's begin).
    assert epochs <= len(log_updates) <= bound, \
        "%d log updates in %.1f s, want between %d and %d" % (len(log_updates), elapsed, epochs, bound)
    mid = [m for m in log_updates if "<progress value=\"19200\"" not in m["content"]["data"]["text/html"]
           and "ETA" in m["content"]["data"]["text/plain"]]
    assert len(mid) > epochs or elapsed < 2 * epochs, "%d updates within epochs in %.1f s" % (len(mid), elapsed)
    assert len(curve_updates) == epochs - 1, "%d curves updates, want %d" % (len(curve_updates), epochs - 1)
    with_png = [m for m in shown + updates if "image/png" in m["content"]["data"]]
    assert len(with_png) == epochs, "%d messages carry a PNG for %d epochs" % (len(with_png), epochs)
    png_bytes = sum(len(m["content"]["data"]["image/png"]) for m in with_png)
    final = log_updates[-1]["content"]["data"]["text/plain"]
    lines = final.split("\n")
    assert lines[0] == "Train on 19200 samples, validate on 4800 samples", final
    for e in range(epochs):
        assert lines[1 + 2 * e] == "Epoch %d/%d" % (e + 1, epochs), final
        assert re.match(r"19200/19200 \[={30}\] - \d+s \d+[mu]?s/sample - loss: " + V + r" - accuracy: " + V + r""
                        r" - val_loss: " + V + r" - val_accuracy: " + V + r"$", lines[2 + 2 * e]), final
    assert len(lines) == 1 + 2 * epochs, final
    curves_text = curve_updates[-1]["content"]["data"]["text/plain"]
    assert curves_text == "<training curves of loss, accuracy, val_loss, val_accuracy over 3 epochs>", curves_text
    print("ok   Fit: 2 displays, %d log and %d curves updates in %.1f s, %d KB of PNG"
          % (len(log_updates), len(curve_updates), elapsed, png_bytes // 1024))


def check_fit_dataset_and_evaluate(kc):
    msgs = run(kc, "model.FitDataset(data.FromTensorSlices(x, y).Batch(100, false), dl.Epochs(2))")
    shown = of(msgs, "display_data")
    assert len(shown) == 2 and not of(msgs, "stream"), "FitDataset: %r" % [m["msg_type"] for m in msgs]
    log = [m for m in of(msgs, "update_display_data") if display_id(m) == display_id(shown[0])][-1]
    text = log["content"]["data"]["text/plain"]
    assert re.match(r"Train for 240 steps\nEpoch 1/2\n240/240 \[={30}\] - \d+s \d+[mu]s/step - loss: ", text), text
    msgs = run(kc, "model.Evaluate(x, y)")
    shown = of(msgs, "display_data")
    assert len(shown) == 1 and not of(msgs, "stream"), "Evaluate: %r" % [m["msg_type"] for m in msgs]
    final = ([shown[0]] + of(msgs, "update_display_data"))[-1]["content"]["data"]
    assert re.match(r"24000/24000 \[={30}\] - \d+s \d+[mu]?s/sample - loss: " + V + r" - accuracy: " + V + r"$",
                    final["text/plain"]), final["text/plain"]
    assert '<progress value="24000" max="24000"' in final["text/html"], final["text/html"]
    print("ok   FitDataset counts steps, Evaluate shows a bar")


def check_tensors(kc):
    msgs = run(kc, "dl.FromFloat32([]float32{1, 2.5, 3, 4}, 2, 2)")
    res = of(msgs, "execute_result")
    assert len(res) == 1, msgs
    data = res[0]["content"]["data"]
    assert data["text/plain"] == "[[1.  2.5]\n [3.  4. ]]", data["text/plain"]
    assert "<table" in data["text/html"] and "<td>2.5</td>" in data["text/html"], data["text/html"]

    msgs = run(kc, "x.Reshape(24000, 16, 16)")  # big: summarised, cheap
    html = of(msgs, "execute_result")[0]["content"]["data"]["text/html"]
    assert html.count("<td>") == 6 * 7 * 7 and "[23999, :, :]" in html, len(html)

    msgs = run(kc, "img := dl.FromUint8(make([]uint8, 28*28), 28, 28)\nimg.Set(255, 3, 4)\nimg")
    data = of(msgs, "execute_result")[0]["content"]["data"]
    png = base64.b64decode(data["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and "text/html" not in data, sorted(data)
    assert data["text/plain"].startswith("[[  0   0"), data["text/plain"][:40]

    msgs = run(kc, "display.Show(dl.Ones(2, 3))\ndisplay.Show(x.Index(0).Reshape(16, 16).Image())")
    shown = of(msgs, "display_data")
    assert len(shown) == 2 and "<table" in shown[0]["content"]["data"]["text/html"], msgs
    assert shown[1]["content"]["data"]["text/plain"] == "<image 16x16>" and "image/png" in shown[1]["content"]["data"]
    print("ok   tensors show as tables and images")


def cpu_seconds(pid):
    """The user and system CPU time of process pid so far (Linux)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check_tensorboard(kc, work):
    """The TensorBoard callback works from a cell: event files in train and validation."""
    logs = os.path.join(work, "logs")
    msgs = run(kc, 'tb := callbacks.TensorBoard(%s)\ntb.HistogramFreq = 1\n'
                   'model.Fit(x, y, dl.Epochs(2), dl.Verbose(0), dl.ValidationSplit(0.2), dl.WithCallback(tb))\n'
                   'tb.Err == nil' % json.dumps(logs))
    res = of(msgs, "execute_result")
    assert len(res) == 1 and res[0]["content"]["data"]["text/plain"] == "true", msgs
    for sub in ("train", "validation"):
        files = [f for f in os.listdir(os.path.join(logs, sub)) if f.startswith("events.out.tfevents.")]
        assert len(files) == 1, "%s: %r" % (sub, files)
    print("ok   TensorBoard from a cell")


def check_saved(work):
    """A notebook that trains, executed by nbclient and by godl run, keeps the final state
    of both displays: the whole log and the last curves."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(SETUP),
                nbformat.v4.new_code_cell("h := model.Fit(x, y, dl.Epochs(2), dl.ValidationSplit(0.2))")]
    path = os.path.join(work, "fit.ipynb")
    nbformat.write(nb, path)

    def check(executed, how):
        outs = executed.cells[1].outputs
        assert [o.output_type for o in outs] == ["display_data", "display_data"], \
            "%s: outputs %r" % (how, [o.output_type for o in outs])
        text = outs[0].data["text/plain"]
        assert re.match(r"Train on 19200 samples, validate on 4800 samples\nEpoch 1/2\n19200/19200 \[={30}\] .*\n"
                        r"Epoch 2/2\n19200/19200 \[={30}\] .* - val_accuracy: " + V + r"$", text), "%s: log %r" % (how, text)
        assert '<progress value="19200" max="19200"' in outs[0].data["text/html"], how
        assert outs[1].data["text/plain"].endswith("over 2 epochs>") and "image/png" in outs[1].data, \
            "%s: curves %r" % (how, outs[1].data["text/plain"])

    NotebookClient(nb, kernel_name="godl", timeout=300, startup_timeout=60).execute()
    check(nb, "nbclient")
    out = os.path.join(work, "fit-run.ipynb")
    run_ = subprocess.run([os.environ.get("GODL", "godl"), "run", path, "-o", out], capture_output=True, text=True)
    assert run_.returncode == 0, "godl run failed: %s %s" % (run_.stdout, run_.stderr)
    check(nbformat.read(out, as_version=4), "godl run")
    print("ok   saved notebooks keep the final log and curves")


def measure(km, kc):
    """Times Fit epochs in the kernel with verbose 1 (live view) and verbose 0: the wall
    time Fit takes, and the kernel process's CPU time for the cell (less sensitive to
    other processes on a shared machine)."""
    pid = km.provisioner.process.pid
    run(kc, """
xm := dl.RandomUniform(0, 1, 60000, 784)
ym := xm.SliceAxis(1, 0, 10).ArgMax(1)
timeFit := func(v int) float64 {
	m := dl.NewSequential(layers.Flatten(), layers.Dense(128, layers.ReLU), layers.Dense(10, layers.Softmax))
	m.Compile(optimizers.SGD(), losses.SparseCategoricalCrossentropy, metrics.Accuracy)
	start := time.Now()
	m.Fit(xm, ym, dl.Epochs(1), dl.Verbose(v))
	return time.Since(start).Seconds()
}
""")
    runs = int(os.environ.get("RUNS", "7"))
    wall, cpu, sent = {0: [], 1: []}, {0: [], 1: []}, []
    for r in range(runs):
        for v in ((1, 0) if r % 2 == 0 else (0, 1)):  # alternate the order too
            c = cpu_seconds(pid)
            msgs = run(kc, 'fmt.Println(timeFit(%d))' % v)
            cpu[v].append(cpu_seconds(pid) - c)
            if v == 1:
                sent.append(sum(len(json.dumps(m["content"])) for m in msgs if m["msg_type"] != "stream"))
            out = "".join(m["content"]["text"] for m in of(msgs, "stream")).split()
            wall[v].append(float(out[-1]))
    for name, t in (("wall", wall), ("CPU", cpu)):
        for v in (0, 1):
            print("verbose %d: Fit of one epoch, 60000 samples (MLP 784-128-10), %s time: median %.3f s  runs %s"
                  % (v, name, statistics.median(t[v]), " ".join("%.3f" % x for x in t[v])))
        d = statistics.median([a - b for a, b in zip(t[1], t[0])])
        print("live view cost in %s time, median of paired differences: %+.3f s per epoch (%+.1f %%)"
              % (name, d, 100 * d / statistics.median(t[0])))
    print("live view messages: median %.0f KB per epoch" % (statistics.median(sent) / 1024))


def main():
    km, kc = start()
    try:
        run(kc, 'import (\n\t"godl.dev/godl/dl/callbacks"\n\t"godl.dev/godl/dl/data"\n)')
        run(kc, SETUP)
        if "--measure" in sys.argv:
            measure(km, kc)
            return
        check_tensors(kc)
        check_fit(kc)
        check_fit_dataset_and_evaluate(kc)
        with tempfile.TemporaryDirectory() as work:
            check_tensorboard(kc, work)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    with tempfile.TemporaryDirectory() as work:
        check_saved(work)


if __name__ == "__main__":
    main()
