"""Results: arrays without copies, typed options, counts, the trace as arrays and as a
DataFrame; callbacks that see every record and can stop or abort the run; Ctrl-C."""

import _thread
import threading
import time

import numpy as np
import pytest

import bilevel


def test_x_and_y_view_the_result_without_copies():
    r = bilevel.run("quadratic", algo="f2ba", max_iters=5)
    # Each access makes a new array object; with copies they would not share memory.
    a, b = r.x, r.x
    assert a is not b and np.shares_memory(a, b) and np.shares_memory(r.y, r.y)
    assert not a.flags["OWNDATA"]
    x = r.x
    del r  # the array keeps the result alive
    assert np.isfinite(x).all()


def test_options_are_resolved_and_typed():
    r = bilevel.run("quadratic", algo="f2ba", options={"K": 7}, max_iters=2)
    assert r.options["K"] == 7 and isinstance(r.options["K"], int)
    assert isinstance(r.options["alpha"], float)  # "auto" resolved to a number
    assert r.problem_options["dx"] == 10 or isinstance(r.problem_options["dx"], int)
    assert isinstance(r.status, bilevel.Status)
    # numpy scalars are numbers like any other; None is "auto"
    n = bilevel.run("quadratic", algo="f2ba", max_iters=2,
                    options={"K": np.int64(7), "lam": np.float64(100.0), "alpha": None})
    assert n.options["K"] == 7 and n.options["lam"] == 100.0
    assert n.options["alpha"] == r.options["alpha"]


def test_trace_columns_counts_and_frame():
    r = bilevel.run("hyperclean", {"dataset": "australian"}, "f2ba", max_iters=6, log_every=2)
    t = r.trace
    np.testing.assert_array_equal(t["iter"], [0, 2, 4, 6])
    for column in ("time_s", "grad_calls", "phi", "hypergrad_norm", "val_loss", "test_acc",
                   "f_grad_calls", "g_grad_calls"):
        assert len(t[column]) == 4, column
    assert t["grad_calls"].dtype == np.int64
    np.testing.assert_array_equal(t["f_grad_calls"] + t["g_grad_calls"], t["grad_calls"])
    assert r.counts["total"]["grad"] == t["grad_calls"][-1]
    assert r.counts["f"]["grad"] + r.counts["g"]["grad"] == r.counts["total"]["grad"]
    frame = r.trace_frame()
    assert list(frame.columns[:8]) == ["iter", "time_s", "grad_calls", "hvp_calls",
                                       "hess_calls", "samples", "phi", "hypergrad_norm"]
    assert frame["val_loss"].iloc[-1] == t["val_loss"][-1]
    assert "f2ba" in r.full_report() and "hyperclean" in r.full_report()
    assert "max_iterations" in r.brief_report()


def test_callback_sees_every_record_and_can_stop():
    seen = []

    def callback(record, x, y):
        seen.append((record["iter"], record["grad_calls"], x.copy()))
        return bilevel.Action.STOP if record["iter"] == 4 else None

    r = bilevel.run("quadratic", algo="f2ba", max_iters=100, callback=callback)
    assert r.status == bilevel.UserStop and r.usable
    assert [s[0] for s in seen] == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(seen[-1][2], r.x)
    assert seen[-1][1] == r.counts["total"]["grad"]


def test_callback_abort_and_bad_return():
    r = bilevel.run("quadratic", algo="f2ba", max_iters=100,
                    callback=lambda rec, x, y: "abort" if rec["iter"] == 2 else None)
    assert r.status == bilevel.UserAbort and not r.usable
    with pytest.raises(ValueError, match="a callback must return"):
        bilevel.run("quadratic", algo="f2ba", max_iters=5, callback=lambda rec, x, y: 3)


def test_ctrl_c_stops_the_run_and_raises_keyboard_interrupt():
    # _thread.interrupt_main is what Ctrl-C does: the signal flag of the main thread.
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt) as e:
        bilevel.run("hyperclean", {"dataset": "australian"}, "f2ba", max_iters=10**9,
                    diagnostics=False)
    assert time.monotonic() - t0 < 30
    r = e.value.result
    assert r.status == bilevel.Interrupted and r.iters > 0 and np.isfinite(r.x).all()


def test_the_gil_is_released_during_a_builtin_run():
    # A second Python thread counts while the main thread runs a C++-only problem for 1.5 s.
    # Between the run's first and last records (a callback notes the count at each, and there
    # are no records in between) the worker counts at a good part of its own speed when the
    # GIL is released (less when the machine is busy); held, it cannot count there at all.
    ticks = [0]
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks[0] += 1

    marks = []
    worker = threading.Thread(target=count)
    worker.start()
    try:
        time.sleep(0.3)  # alone: the worker's own speed
        rate = ticks[0] / 0.3
        r = bilevel.run("quadratic", {"dx": 50, "dy": 50}, "aid-cg", {"K": 20},
                        max_iters=10**9, time_limit=1.5, log_every=10**9, diagnostics=False,
                        callback=lambda rec, x, y: marks.append((ticks[0], time.monotonic())))
    finally:
        stop.set()
        worker.join()
    assert r.status == bilevel.TimeLimit and len(marks) == 2
    during, elapsed = marks[1][0] - marks[0][0], marks[1][1] - marks[0][1]
    assert elapsed >= 1.4
    assert during > 0.1 * rate * elapsed, (during, rate * elapsed)


def test_threads_setting_keeps_results():
    a = bilevel.run("hyperclean", {"dataset": "australian"}, "f2ba", max_iters=5, threads=1)
    b = bilevel.run("hyperclean", {"dataset": "australian"}, "f2ba", max_iters=5, threads=2)
    np.testing.assert_array_equal(a.x, b.x)


def test_files_are_written_like_the_cli(tmp_path):
    import json
    r = bilevel.run("quadratic", algo="f2ba", max_iters=3, trace=str(tmp_path / "t.csv"),
                    summary=str(tmp_path / "s.json"))
    lines = (tmp_path / "t.csv").read_text().splitlines()
    assert lines[0].startswith("iter,time_s,grad_calls") and len(lines) == 5
    s = json.loads((tmp_path / "s.json").read_text())
    assert s["status"] == "max_iterations" or s["iters"] == r.iters


def test_listings_hold_the_declared_options():
    problems = {p["name"]: p for p in bilevel.list_problems()}
    algorithms = {a["name"]: a for a in bilevel.list_algorithms()}
    settings = {s["name"]: s for s in bilevel.list_settings()}
    assert problems["hyperclean"]["takes_data"] and not problems["quadratic"]["takes_data"]
    weight = next(o for o in problems["hyperclean"]["options"] if o["name"] == "weight")
    assert weight["default"] == "sigmoid" and "clip" in weight["choices"]
    lam = next(o for o in algorithms["f2ba"]["options"] if o["name"] == "lam")
    assert lam["help"] and lam["constraint"] == "> 0"
    assert algorithms["dist-f2ba"]["distributed"] and not algorithms["itd"]["distributed"]
    assert settings["max_iters"]["default"] == "1000"
    assert set(settings) >= {"max_iters", "tol", "seed", "threads", "time_limit"}
