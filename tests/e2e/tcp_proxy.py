"""A TCP forwarder on 127.0.0.1 standing between Noroshi and one of its services (PostgreSQL,
Redis, the broker, an SMTP server), so that a test can take the service away the way it happens
on a bad day, without stopping the machine's shared server:

- cut(): refuse new connections and cut the open ones (the service is down, or restarting);
- blackhole(): accept connections and swallow every byte, answering nothing (a network
  partition, a server hung mid-failover: clients wait for their timeouts);
- restore(): forward again, on the same port (the service is back).

stop() and shutdown() are kept for the tests that only ever take a service away.
"""

import asyncio
import contextlib
import socket
import threading

FORWARD, BLACKHOLE = "forward", "blackhole"


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, port: int = 0):
        self.target = (target_host, target_port)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.server: asyncio.base_events.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.port = port
        self.mode = FORWARD

    def start(self) -> "TcpProxy":
        self.thread.start()
        self._run(self._listen())
        return self

    def cut(self) -> None:
        """Refuse new connections and cut the open ones."""
        if self.loop.is_running():
            self._run(self._close())

    stop = cut

    def blackhole(self) -> None:
        """Cut the open connections; accept new ones but never answer them."""
        self.cut()
        self.mode = BLACKHOLE
        self._run(self._listen())

    def restore(self) -> None:
        """Forward again on the same port (after cut() or blackhole())."""
        self.cut()
        self.mode = FORWARD
        self._run(self._listen())

    def shutdown(self) -> None:
        self.cut()
        if self.loop.is_running():
            self._run(self._cancel_pipes())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    def _run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(5)

    async def _listen(self) -> None:
        self.server = await asyncio.start_server(
            self._serve, "127.0.0.1", self.port, family=socket.AF_INET, reuse_address=True
        )
        self.port = self.server.sockets[0].getsockname()[1]

    async def _close(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        for writer in list(self.writers):
            writer.close()
        self.writers.clear()

    async def _cancel_pipes(self) -> None:
        """End the connections' tasks, so that none is left pending when the loop stops."""
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _serve(self, client_reader, client_writer) -> None:
        self.writers.add(client_writer)
        if self.mode == BLACKHOLE:
            await self._swallow(client_reader, client_writer)
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.target)
        except OSError:
            client_writer.close()
            return
        self.writers.add(upstream_writer)
        await asyncio.gather(
            self._pipe(client_reader, upstream_writer), self._pipe(upstream_reader, client_writer)
        )

    async def _swallow(self, reader, writer) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while await reader.read(65536):
                pass
        writer.close()
        self.writers.discard(writer)

    async def _pipe(self, reader, writer) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()
        self.writers.discard(writer)
