"""The shipped systemd units run worker and beat below the web's CPU priority."""

import configparser
from pathlib import Path

UNITS = Path(__file__).resolve().parents[2] / "deploy" / "systemd"


def service_section(name: str) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(UNITS / f"noroshi-{name}.service")
    return parser["Service"]


def test_worker_and_beat_run_at_a_lower_cpu_priority_than_web():
    web = service_section("web")
    assert int(web.get("Nice", "0")) == 0
    for name in ("worker", "beat"):
        service = service_section(name)
        assert int(service["Nice"]) > 0, name
        assert int(service["CPUWeight"]) < int(web.get("CPUWeight", "100")), name
