"""In CI (NOROSHI_REQUIRE_SERVICES) a missing RabbitMQ stops the run: its variant of the
end-to-end notification tests must never be skipped there without anyone noticing."""

from tests.statuspage.test_ci_guard import run_suite_with


def test_unreachable_rabbitmq_stops_the_run(tmp_path):
    result = run_suite_with(tmp_path, NOROSHI_TEST_RABBITMQ_URL="amqp://guest:guest@127.0.0.1:1//")
    output = result.stdout + result.stderr
    assert result.returncode == 3, output
    assert "RabbitMQ at amqp://guest:guest@127.0.0.1:1// is unreachable" in output
