"""Benchmarks the godl kernel through jupyter_client (make bench; not a test).

Prints the median of:
  - kernel start: from launching the process to the kernel_info_reply (over 10 starts);
    the benchmark then waits for IOPub to be subscribed before it runs cells.
  - trivial cell: execute_request to execute_reply plus the idle status, for the cell
    "x := 1" over 200 runs on one kernel;
  - for reference, a kernel_info round trip: the cost of the protocol and of
    jupyter_client without any evaluation.
Goals: start < 300 ms, trivial cell < 5 ms.

Needs the kernelspec godl installed (tests/run.sh bench installs it in a temporary place).
Set KERNEL=other to measure another kernel in the same run for comparison.
"""

import os
import statistics
import time
from queue import Empty

from jupyter_client.manager import KernelManager

KERNEL = os.environ.get("KERNEL", "godl")
STARTS = int(os.environ.get("STARTS", "10"))
CELLS = int(os.environ.get("CELLS", "200"))
CELL = os.environ.get("CELL", "x := 1")


def start_once():
    km = KernelManager(kernel_name=KERNEL)
    t0 = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        # Resend kernel_info until the kernel answers on shell and its status reaches us
        # on IOPub: a SUB socket only receives once its subscription has arrived.
        answered = subscribed = False
        while not answered:
            msg_id = kc.kernel_info()
            try:
                while True:
                    reply = kc.get_shell_msg(timeout=0.05)
                    if reply["parent_header"].get("msg_id") == msg_id:
                        answered = True
                        break
            except Empty:
                pass
            if time.perf_counter() - t0 > 30:
                raise RuntimeError("no kernel_info_reply in 30 s")
        elapsed = time.perf_counter() - t0
        while not subscribed:
            try:
                kc.get_iopub_msg(timeout=0.2)
                subscribed = True
            except Empty:
                kc.kernel_info()
            if time.perf_counter() - t0 > 30:
                raise RuntimeError("no IOPub message in 30 s")
        # Drain what the extra requests left.
        time.sleep(0.05)
        for get in (kc.get_shell_msg, kc.get_iopub_msg):
            while True:
                try:
                    get(timeout=0.01)
                except Empty:
                    break
        return elapsed, km, kc
    except BaseException:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        raise


def run_cell(kc, code):
    t0 = time.perf_counter()
    msg_id = kc.execute(code, store_history=False)
    got_reply = got_idle = False
    while not got_reply:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            got_reply = True
            if reply["content"]["status"] != "ok":
                raise RuntimeError("cell failed: %r" % reply["content"])
    while not got_idle:
        msg = kc.get_iopub_msg(timeout=30)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            got_idle = True
    return time.perf_counter() - t0


def kernel_info_round_trip(kc):
    t0 = time.perf_counter()
    msg_id = kc.kernel_info()
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            return time.perf_counter() - t0


def main():
    starts = []
    km = kc = None
    for i in range(STARTS):
        elapsed, km, kc = start_once()
        starts.append(elapsed)
        if i < STARTS - 1:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    try:
        for _ in range(5):  # warm up
            run_cell(kc, CELL)
        cells = [run_cell(kc, CELL) for _ in range(CELLS)]
        infos = [kernel_info_round_trip(kc) for _ in range(CELLS)]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    ms = lambda xs: statistics.median(xs) * 1000
    print("kernel %s" % KERNEL)
    print("start to kernel_info_reply: median %.1f ms over %d starts (min %.1f, max %.1f; goal < 300 ms)"
          % (ms(starts), len(starts), min(starts) * 1000, max(starts) * 1000))
    print("trivial cell %r round trip: median %.2f ms over %d runs (p90 %.2f ms; goal < 5 ms)"
          % (CELL, ms(cells), len(cells), sorted(cells)[int(len(cells) * 0.9)] * 1000))
    print("protocol alone (kernel_info round trip, no evaluation): median %.2f ms over %d runs"
          % (ms(infos), len(infos)))


if __name__ == "__main__":
    main()
