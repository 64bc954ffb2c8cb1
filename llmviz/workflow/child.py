"""A render process that dies with its parent: ``python -m llmviz.workflow.child PID manim ARGS``.

``llmviz render`` starts each manim render through this module. It first asks Linux to kill
it when the thread that started it ends (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), even when that
parent is killed with SIGKILL; elsewhere, and as a second guard, a thread checks every half
second that the parent ``PID`` is still its parent. Then it runs manim's command line in this
same process.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
import threading
import time

__all__ = ["die_with_parent", "main"]

PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, every: float = 0.5) -> None:
    """End this process when ``parent`` is no longer its parent process."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the guard was set
        os._exit(137)

    def watch() -> None:
        while True:
            time.sleep(every)
            if os.getppid() != parent:
                os._exit(137)

    threading.Thread(target=watch, name="llmviz-parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2 or not argv[0].isdigit():
        print("usage: python -m llmviz.workflow.child PARENT_PID MODULE [ARGS...]", file=sys.stderr)
        raise SystemExit(2)
    die_with_parent(int(argv[0]))
    sys.argv = [argv[1], *argv[2:]]
    runpy.run_module(argv[1], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
