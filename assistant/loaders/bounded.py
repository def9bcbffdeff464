"""Run one loading step in a forked child with a time and a memory budget.

Why: reading and parsing a hostile file can take unbounded time or memory (a list
number bomb, a pathological layout), and in the web app one stuck upload would hold the
ingest lock and block every later one. A child process can be killed when its budget
runs out; a thread cannot. The parent gets back JSON (never pickle), or a one-line
``LoadError`` naming the file and the budget it exceeded.

``fork`` rather than ``spawn``: the child inherits the imported code and the loader
registry at no cost (milliseconds per file), and needs nothing but the path.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import resource
import signal
from pathlib import Path
from typing import Any, Callable

from ..errors import LoadError


def _virtual_bytes() -> int:
    """This process's current address-space size (what RLIMIT_AS counts)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(conn: Any, fn: Callable[[], Any], memory_bytes: int, where: str) -> None:
    try:
        if memory_bytes > 0:
            limit = _virtual_bytes() + memory_bytes
            resource.setrlimit(resource.RLIMIT_AS, (limit, resource.getrlimit(resource.RLIMIT_AS)[1]))
        try:
            out: dict[str, Any] = {"ok": fn()}
        except LoadError as exc:
            out = {"error": str(exc), "kind": type(exc).__name__}
        except MemoryError:
            out = {"error": f"{where}: needs more than {memory_bytes // 2**20:,} MB of memory to read; refused"}
        except RecursionError:
            out = {"error": f"{where}: nested too deeply to read; refused"}
        except Exception as exc:  # a loader bug must not become a traceback in the parent
            out = {"error": f"{where}: cannot read ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"}
        try:
            payload = json.dumps(out, ensure_ascii=False).encode("utf-8", "surrogateescape")
        except MemoryError:
            payload = json.dumps({"error": f"{where}: too large to read; refused"}).encode()
        conn.send_bytes(payload)
    finally:
        conn.close()
        os._exit(0)  # no atexit handlers, no flushing of the parent's inherited buffers


def run_bounded(
    fn: Callable[[], Any],
    where: str,
    *,
    timeout_s: float,
    memory_bytes: int,
    error_kinds: dict[str, type[LoadError]] | None = None,
) -> Any:
    """``fn()`` in a forked child; its JSON-able result, or ``LoadError`` (re-raised with the
    child's message and, via ``error_kinds``, its class) when it fails or exceeds a budget."""
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, fn, memory_bytes, where), daemon=True)
    proc.start()
    child.close()
    timed_out = False
    try:
        if not parent.poll(timeout_s):
            timed_out = True
            raise LoadError(f"{where}: reading took longer than {timeout_s:.0f} s; refused (time budget per file)")
        try:
            payload = parent.recv_bytes()
        except (EOFError, OSError):
            proc.join(5)
            code = proc.exitcode
            why = f"killed by signal {-code}" if code is not None and code < 0 else "ended unexpectedly"
            raise LoadError(f"{where}: the reader {why} (out of memory?); refused") from None
    finally:
        parent.close()
        proc.join(0 if timed_out else 5)
        if proc.is_alive() and proc.pid is not None:  # started, so it has a pid
            os.kill(proc.pid, signal.SIGKILL)
            proc.join()
    out = json.loads(payload.decode("utf-8", "surrogateescape"))
    if "error" in out:
        cls = (error_kinds or {}).get(out.get("kind", ""), LoadError)
        raise cls(out["error"])
    return out["ok"]


def bounded_available() -> bool:
    """Forking needs a POSIX system; elsewhere loading runs in-process (no budget)."""
    return hasattr(os, "fork") and Path("/proc/self/statm").exists()
