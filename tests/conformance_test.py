"""Jupyter conformance tests of the godl kernel.

Runs the Jupyter project's own suite, jupyter_kernel_test (Debian's
python3-jupyter-kernel-test), against the godl kernelspec, plus godl's checks of the parts
that suite does not cover: interrupt, stdin, bad signatures, restart.

Run through tests/run.sh conformance, which builds godl and installs its kernelspec into a
temporary JUPYTER_DATA_DIR; or by hand with the kernelspec "godl" installed:

    /usr/bin/python3 -m unittest -v tests/conformance_test.py
"""

import os
import time
import unittest
from queue import Empty

import jupyter_kernel_test
import zmq
from jupyter_client.manager import start_new_kernel

TIMEOUT = 30

# A cell that shows an 8x8 PNG through the display package.
PNG_CELL = """import (
\t"image"
\t"image/color"
\t"godl.dev/godl/display"
)
img := image.NewRGBA(image.Rect(0, 0, 8, 8))
img.Set(1, 1, color.RGBA{255, 0, 0, 255})
display.Display(display.Image(img))"""


class GodlKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "godl"
    language_name = "go"
    file_extension = ".go"

    code_hello_world = 'fmt.Println("hello, world")'
    code_stderr = 'fmt.Fprintln(os.Stderr, "to stderr")'

    completion_samples = [
        {"text": "strings.ToU", "matches": {"ToUpper", "ToUpperSpecial"}},
    ]

    complete_code_samples = ["x := 1", "fmt.Println(1)", "func f() int { return 1 }"]
    incomplete_code_samples = ["func f() {", "for i := 0; i < 3; i++ {", "x := []int{1,"]
    invalid_code_samples = ["x := )", "func f() }"]

    code_generate_error = "undefinedVariable + 1"

    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": "1 + 2", "result": "3"},
    ]

    code_display_data = [{"code": PNG_CELL, "mime": "image/png"}]

    code_history_pattern = "6*7"
    supported_history_operations = ("tail", "range", "search")

    code_inspect_sample = "fmt.Println"

    code_clear_output = 'import "godl.dev/godl/display"\ndisplay.ClearOutput(true)'


def outputs_of(kc, msg_id, timeout=TIMEOUT):
    """Collects the IOPub messages of one request until its idle status."""
    out = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out
        out.append(msg)
    raise AssertionError("no idle status for %s" % msg_id)


def shell_reply(kc, msg_id, timeout=TIMEOUT):
    while True:
        reply = kc.get_shell_msg(timeout=timeout)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


class GodlProtocolTests(unittest.TestCase):
    """What jupyter_kernel_test does not check: interrupt, stdin, bad messages."""

    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name="godl")

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel()

    def execute(self, code, **kw):
        msg_id = self.kc.execute(code, **kw)
        reply = shell_reply(self.kc, msg_id)
        return reply, outputs_of(self.kc, msg_id)

    def test_interrupt_infinite_loop(self):
        msg_id = self.kc.execute("for {\n}")
        time.sleep(0.5)
        start = time.monotonic()
        self.km.interrupt_kernel()
        reply = shell_reply(self.kc, msg_id)
        elapsed = time.monotonic() - start
        outputs_of(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertLess(elapsed, 1.5, "the loop stopped %.2fs after the interrupt" % elapsed)
        reply, out = self.execute("40 + 2")
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m for m in out if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")

    def test_unbounded_recursion_keeps_the_kernel(self):
        self.execute("survivor := 41")
        reply, _ = self.execute("func down(n int) int { return down(n+1) + 1 }\ndown(0)")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["ename"], "RecursionError")
        self.assertTrue(self.km.is_alive(), "the kernel process died of the recursion")
        reply, out = self.execute("survivor + 1")
        self.assertEqual(reply["content"]["status"], "ok")
        results = [m for m in out if m["msg_type"] == "execute_result"]
        self.assertEqual(results[0]["content"]["data"]["text/plain"], "42")

    def test_stdin(self):
        code = 'var name string\nfmt.Scanln(&name)\nfmt.Println("hello", name)'
        msg_id = self.kc.execute(code, allow_stdin=True)
        req = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(req["msg_type"], "input_request")
        self.assertEqual(req["parent_header"]["msg_id"], msg_id)
        self.kc.input("Ada")
        reply = shell_reply(self.kc, msg_id)
        out = outputs_of(self.kc, msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        text = "".join(m["content"]["text"] for m in out if m["msg_type"] == "stream")
        self.assertIn("hello Ada", text)

    def test_stdin_not_allowed(self):
        reply, out = self.execute('var s string\nfmt.Scanln(&s)', allow_stdin=False)
        text = repr(reply["content"]) + repr([m["content"] for m in out])
        self.assertIn("allow_stdin", text)

    def test_bad_messages_are_dropped(self):
        info = self.km.get_connection_info()
        ctx = zmq.Context.instance()
        sock = ctx.socket(zmq.DEALER)
        sock.linger = 0
        sock.connect("%s://%s:%d" % (info["transport"], info["ip"], info["shell_port"]))
        try:
            msg = self.kc.session.msg("execute_request", {"code": 'fmt.Println("pwned")',
                "silent": False, "store_history": True, "user_expressions": {},
                "allow_stdin": False, "stop_on_error": True})
            frames = self.kc.session.serialize(msg)
            bad_sig = list(frames)
            bad_sig[1] = b"0" * 64
            sock.send_multipart(bad_sig)
            sock.send_multipart(frames[:3])  # truncated
            sock.send_multipart([b"<IDS|MSG>", b"", b"{not json", b"{}", b"{}", b"{}"])
            time.sleep(0.3)
            self.assertEqual(sock.poll(300), 0, "the kernel answered a bad message")
        finally:
            sock.close()
        # The kernel is alive and well.
        msg_id = self.kc.kernel_info()
        self.assertEqual(shell_reply(self.kc, msg_id)["msg_type"], "kernel_info_reply")

    def test_heartbeat(self):
        self.assertTrue(self.kc.hb_channel.is_beating())

    def test_comm_open_is_closed(self):
        msg = self.kc.session.msg("comm_open", {"comm_id": "c-1", "target_name": "no.such.target", "data": {}})
        self.kc.shell_channel.send(msg)
        out = outputs_of(self.kc, msg["header"]["msg_id"])
        self.assertEqual([m["msg_type"] for m in out if m["msg_type"] != "status"], ["comm_close"])


class GodlRestartTest(unittest.TestCase):
    def test_restart_gives_a_fresh_session(self):
        km, kc = start_new_kernel(kernel_name="godl")
        try:
            msg_id = kc.execute("restartProbe := 1")
            self.assertEqual(shell_reply(kc, msg_id)["content"]["status"], "ok")
            kc.stop_channels()
            start = time.monotonic()
            km.restart_kernel(now=False)
            self.assertLess(time.monotonic() - start, 5, "restart waited for the kill timeout")
            kc = km.client()
            kc.start_channels()
            kc.wait_for_ready(timeout=TIMEOUT)
            msg_id = kc.execute("restartProbe + 1")
            self.assertEqual(shell_reply(kc, msg_id)["content"]["status"], "error")
        finally:
            kc.stop_channels()
            km.shutdown_kernel()


if __name__ == "__main__":
    unittest.main(verbosity=2)
