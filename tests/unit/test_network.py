"""The suite runs with the network cut off: pytest-socket allows connections to loopback only (pyproject addopts).

Any code path that tries to reach a model hub or telemetry endpoint fails its test with `SocketConnectBlockedError`.
"""

from __future__ import annotations

import socket

import pytest
from pytest_socket import SocketConnectBlockedError


def test_connections_leave_the_machine_only_to_loopback() -> None:
    with pytest.raises(SocketConnectBlockedError), pytest.warns(UserWarning, match="93.184.216.34"):
        socket.create_connection(("93.184.216.34", 443), timeout=1)  # a public address: blocked before any packet
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        socket.create_connection(server.getsockname(), timeout=1).close()  # the Chroma-server test needs this
    finally:
        server.close()
