"""Each broker gets its own transport options: an amqp:// URL none of Redis's."""

from pathlib import Path

from statuspage.broker_options import transport_options


def test_rabbitmq_confirms_publishes_and_bounds_every_socket_operation():
    options = transport_options("amqp://guest:guest@127.0.0.1:5672//", timeout=1.5, folder=Path())
    assert options == {"confirm_publish": True, "read_timeout": 1.5, "write_timeout": 1.5}


def test_redis_keeps_its_visibility_timeout_and_socket_timeouts():
    options = transport_options("redis://127.0.0.1:6379/0", timeout=1.0, folder=Path())
    assert options == {
        "visibility_timeout": 3600,
        "socket_timeout": 1.0,
        "socket_connect_timeout": 1.0,
    }


def test_the_filesystem_broker_keeps_its_folders(tmp_path):
    options = transport_options("filesystem://", timeout=1.0, folder=tmp_path)
    assert options["data_folder_in"] == str(tmp_path / "queue")
    assert options["control_folder"] == str(tmp_path / "control")
    assert options["store_processed"] is False
