"""The demo status page ("Hoshizora Cloud") that `manage.py seed_demo` and `make run` load."""

from incidents.demo.seed import SeedSummary, seed_demo

__all__ = ["SeedSummary", "seed_demo"]
