"""The aiobotocore sessions every client is made from: one shared model loader,
timestamps parsed to UTC (`timestamps.py`), a repeated listing not parsed again
(`same_page.py`).

Each botocore session has a loader of its own, so each session that creates a client
parses the service's JSON model again: for Step Functions about 30,000 dicts and lists.
The app freezes what is alive once its clients are open (out of the cyclic GC); a
client opened later from a new session (the heartbeat thread's, the Logs and Lambda
clients opened on first use) brought a fresh copy that every full collection walked
again. With one loader, the models are loaded once and stay frozen.
"""

from __future__ import annotations

import threading
from typing import Any

from sfn_tui.aws.same_page import use_same_body_cache
from sfn_tui.aws.timestamps import use_utc_timestamps

_lock = threading.Lock()
_loader: Any = None


def new_session(profile: str | None) -> Any:
    """An AioSession for `profile` that shares the process's model loader."""
    global _loader
    from aiobotocore.session import AioSession

    session = AioSession(profile=profile)
    with _lock:
        if _loader is None:
            _loader = session.get_component("data_loader")
        else:
            session.register_component("data_loader", _loader)
    use_utc_timestamps(session)
    use_same_body_cache(session)
    return session
