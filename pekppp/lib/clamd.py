"""A client for ClamAV's daemon (clamd): one INSTREAM scan over a Unix or TCP socket.

The protocol (clamd(8)): send `zINSTREAM\\0`, then chunks each prefixed with its length as a
4-byte big-endian integer, then a zero length; clamd answers `stream: OK`,
`stream: <signature> FOUND` or `<message> ERROR`, ended by a NUL byte. No Django here.
"""

import socket
import struct
from collections.abc import Iterable
from dataclasses import dataclass


class ClamdError(Exception):
    """clamd could not be reached or could not scan the stream."""


@dataclass(frozen=True)
class Clamd:
    socket_path: str = ""  # a Unix socket, used when set; else host and port
    host: str = "127.0.0.1"
    port: int = 3310
    timeout: float = 30.0

    def _connect(self) -> socket.socket:
        if self.socket_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(self.socket_path)
            except OSError:
                sock.close()
                raise
            return sock
        return socket.create_connection((self.host, self.port), timeout=self.timeout)

    def scan(self, chunks: Iterable[bytes]) -> str | None:
        """The signature clamd found in the stream, or None when it is clean.

        Raises ClamdError when clamd is unreachable, times out or answers an error (such as a
        stream longer than its StreamMaxLength).
        """
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    if chunk:
                        sock.sendall(struct.pack(">I", len(chunk)) + chunk)
                sock.sendall(struct.pack(">I", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = sock.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as exc:
            raise ClamdError(str(exc) or type(exc).__name__) from exc
        status = reply.rstrip(b"\0").decode("utf-8", "replace").removeprefix("stream: ")
        if status == "OK":
            return None
        if status.endswith(" FOUND"):
            return status.removesuffix(" FOUND")
        raise ClamdError(status or "no answer")
