"""A loopback TCP proxy that can stop forwarding while keeping every socket open.

It stands in for a silent network partition: the server neither answers nor resets the
connection, so only the client's own timeouts can notice. New connections are accepted
while held too (as a half-dead route would), and wait with the rest.
"""

from __future__ import annotations

import asyncio
import contextlib


class HoldingProxy:
    """Forwards 127.0.0.1:<port> to a target until :meth:`hold`, again after :meth:`resume`.

    Args:
        host: The target's host.
        port: The target's port.
    """

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.connections = 0
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> HoldingProxy:
        """Listen on an ephemeral loopback port; return self."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def hold(self) -> None:
        """Stop forwarding in both directions; keep every socket open."""
        self._flowing.clear()

    def resume(self) -> None:
        """Forward again, held bytes included."""
        self._flowing.set()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        await self._flowing.wait()
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        self._writers.append(up_writer)
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pump(src, dst))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _pump(self, src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError, asyncio.CancelledError):
            while data := await src.read(65536):
                await self._flowing.wait()
                dst.write(data)
                await dst.drain()
        with contextlib.suppress(OSError):
            dst.close()

    async def close(self) -> None:
        """Stop listening and drop every connection."""
        self.resume()
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for writer in self._writers:
            writer.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)
