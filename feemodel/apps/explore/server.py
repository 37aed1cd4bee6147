"""Serve the explorer notebook with Voila on localhost (``feemodel explore``)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from ...errors import InputError


def voila_missing() -> str | None:
    """How to install Voila where it cannot be imported, else None."""
    import importlib.util

    if importlib.util.find_spec("voila") is None:
        return ("the explorer needs Voila, which is not installed in this Python; install it with "
                "pip install 'voila>=0.5,<0.6' (or reinstall feemodel: pip install -e .)")
    return None


def free_port() -> int:
    """A port on 127.0.0.1 that is free now (the server is told not to move off it)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(scenario: str | Path | None = None, port: int | None = None, startup_timeout_s: float = 120.0,
          cull_idle_s: int = 600, cull_interval_s: int = 60, save_folder: str | Path | None = None):
    """Start Voila on localhost for the explorer notebook; returns (process, url).

    Bound to 127.0.0.1, answering only requests whose Host is localhost or a loopback address (a
    DNS-rebinding page gets 403); at most 8 kernels. A kernel whose tab has closed (or that has been
    idle) for ``cull_idle_s`` seconds is shut down, checked every ``cull_interval_s`` seconds, so a
    visit leaves no kernel behind. Saves go to ``save_folder`` (default ``scenarios/`` in the
    current working directory). Its log goes to a file (``proc.log_path``), never to an unread pipe.
    Returns once the server listens, with the URL of the port it actually bound."""
    import os
    import socket
    import subprocess
    import sys
    import tempfile

    from ...paths import REPO_DIR, default_scenario

    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535):
        raise InputError(None, "--port", f"{port!r} is not a port; give a whole number from 1 to 65535")
    if port is None:
        port = free_port()
    else:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError as exc:
                raise InputError(None, "--port", f"port {port} cannot be used on 127.0.0.1 ({exc.strerror}); "
                                 "choose another or leave --port out") from None
    nb = REPO_DIR / "notebooks" / "explore.ipynb"
    env = dict(os.environ)
    # the notebook's python3 kernel runs `python` from PATH: make that this very Python
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["FEEMODEL_SCENARIO"] = str(Path(scenario or default_scenario()).resolve())
    env["FEEMODEL_SAVE_DIR"] = str(Path(save_folder or Path.cwd() / "scenarios").resolve())
    max_kernels = 8
    # Voila 0.5 hard-codes allow_remote_access=True in its tornado settings: turn the Host check
    # back on, and refuse a kernel beyond the limit
    launcher = (
        "import sys\n"
        "from tornado import web\n"
        "from voila.app import Voila\n"
        "class LocalVoila(Voila):\n"
        "    def init_settings(self):\n"
        "        settings = super().init_settings()\n"
        "        settings['allow_remote_access'] = False\n"
        "        settings['local_hostnames'] = ['localhost']\n"
        "        km = settings['kernel_manager']\n"
        "        start = km.start_kernel\n"
        "        async def limited(*args, **kwargs):\n"
        f"            if len(km.list_kernel_ids()) >= {max_kernels}:\n"
        "                raise web.HTTPError(503, 'too many explorer sessions; close a tab and reload')\n"
        "            return await start(*args, **kwargs)\n"
        "        km.start_kernel = limited\n"
        "        return settings\n"
        "sys.exit(LocalVoila.launch_instance())\n"
    )
    cmd = [sys.executable, "-c", launcher, str(nb), "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
           "--Voila.port_retries=0", "--show_tracebacks=False",
           f"--MappingKernelManager.cull_idle_timeout={int(cull_idle_s)}", f"--MappingKernelManager.cull_interval={int(cull_interval_s)}",
           "--MappingKernelManager.cull_connected=False", "--MappingKernelManager.cull_busy=False"]
    fd, log_name = tempfile.mkstemp(prefix="feemodel-explore-", suffix=".log")
    with os.fdopen(fd, "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log_name
    pattern = re.compile(r"running at:\s*(http://127\.0\.0\.1:(\d+)/\S*)")
    deadline = time.monotonic() + startup_timeout_s
    while True:
        text = Path(log_name).read_text(encoding="utf-8", errors="replace")
        m = pattern.search(text)
        if m:
            return proc, f"http://127.0.0.1:{m.group(2)}/"
        if proc.poll() is not None or time.monotonic() > deadline:
            if proc.poll() is None:
                proc.kill()
            tail = " ".join(text.strip().splitlines()[-3:])[-300:]
            raise RuntimeError(f"the explorer server did not start (log: {log_name}): {tail}")
        time.sleep(0.2)
