"""``python -m tests.support.loopback_cli run``: the real command line, with name lookups kept on loopback.

The tests that run the real process with the default sources use it: the bot may try to fetch
forskningsradet.no and the others, and here every lookup of a name outside this machine fails at
once, as it does in the test process itself (``tests/conftest.py``).
"""

from __future__ import annotations

import socket
import sys
from typing import Any

_real_getaddrinfo = socket.getaddrinfo
_LOOPBACK = {None, "", "localhost", "::1", b"localhost"}


def _loopback_only(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name not in _LOOPBACK and not str(name).startswith("127."):
        raise socket.gaierror(socket.EAI_NONAME, f"tests stay on loopback; refused to look up {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)


def main() -> int:
    socket.getaddrinfo = _loopback_only
    from bot.cli import main as cli_main

    return cli_main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
