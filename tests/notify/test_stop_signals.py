"""A pool process asked to stop by two signals at once — SIGTERM to the whole process group and
SIGINT from the main process's warm shutdown, both at the same moment — notes the stop and goes
on. A stop flag that took a lock in its handler (a threading.Event) waited forever for itself
when the second signal came inside the first handler: the worker never exited.

The pool process here is a real Python process running Noroshi's handlers, flooded with both
signals by another process."""

import os
import subprocess
import sys
import textwrap

from django.conf import settings

POOL_PROCESS = textwrap.dedent(
    """
    import os, signal, subprocess, sys
    import django
    django.setup()
    from notify import liveness

    liveness.in_pool_process()
    liveness.task_started()  # a task runs: the stop signals are handled, not ignored
    flood = subprocess.Popen([sys.executable, "-c", '''
    import os, signal, sys
    pid = int(sys.argv[1])
    for n in range(100000):
        os.kill(pid, signal.SIGTERM if n % 2 else signal.SIGINT)
    ''', str(os.getpid())])
    flood.wait()
    print("asked to stop" if liveness.stopping.is_set() else "not told")
    """
)


def test_two_stop_signals_at_once_never_hang_the_process():
    finished = subprocess.run(
        [sys.executable, "-c", POOL_PROCESS],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,  # a deadlock, not a slow machine: the flood takes about a second
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "statuspage.settings"},
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "asked to stop"
