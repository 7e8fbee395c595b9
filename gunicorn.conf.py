"""gunicorn's settings file, read from the directory gunicorn starts in (the project's: make
run, deploy/systemd and the end-to-end tests all start there). Options on the command line
still win."""


def child_exit(server, worker):
    """Fold an exited worker's metric files into the archive (statuspage.metrics_files), so
    that restarts never grow PROMETHEUS_MULTIPROC_DIR."""
    import os
    from pathlib import Path

    # Imported here, not above: Django's settings export PROMETHEUS_MULTIPROC_DIR, which
    # prometheus_client reads once on import; workers forked later inherit the master's modules.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "statuspage.settings")
    from django.conf import settings

    from statuspage.metrics_files import retire

    retire(worker.pid, Path(settings.PROMETHEUS_MULTIPROC_DIR))
