"""`make run`'s process manager: honcho, with time for the worker to stop on its own.

honcho SIGKILLs whatever still runs KILL_WAIT (5) seconds after the first process stopped, and
has no option for it. A worker on the embedded broker needs 6–8 s for a normal stop: its
broker poll ends (2 s steps), the message in flight is finished, the rest given back, the pool
closed. Killed sooner, it loses nothing (its pool has already given everything back), but a
Ctrl-C should stop it cleanly: `python -m statuspage.devprocs` is honcho with a longer grace.
"""

import sys

from honcho import manager
from honcho.command import main

STOP_GRACE_SECONDS = 20

if __name__ == "__main__":
    manager.KILL_WAIT = STOP_GRACE_SECONDS
    sys.exit(main())
