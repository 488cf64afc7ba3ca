"""Loaded by every Python process started with this folder on PYTHONPATH (see test_privacy.py).

Records (and refuses) any socket connection to an address outside loopback, so a test
can assert that the CLI and the server never talk to the network.
"""

import ipaddress
import os
import socket

_LOG = os.environ.get("NET_GUARD_LOG", "")
_connect = socket.socket.connect
_connect_ex = socket.socket.connect_ex


def _allowed(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX
        return True
    host = address[0]
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost",)


def _record(address) -> None:
    if _LOG:
        with open(_LOG, "a") as f:
            f.write(f"{os.getpid()} {address!r}\n")


def connect(self, address):
    if not _allowed(address):
        _record(address)
        raise OSError(101, "network is unreachable (blocked by the test guard)")
    return _connect(self, address)


def connect_ex(self, address):
    if not _allowed(address):
        _record(address)
        return 101
    return _connect_ex(self, address)


socket.socket.connect = connect
socket.socket.connect_ex = connect_ex
_getaddrinfo = socket.getaddrinfo


def getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost", "127.0.0.1", "::1", "0.0.0.0", "") and not str(host).startswith("127."):
        _record(("dns", host))
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = getaddrinfo
