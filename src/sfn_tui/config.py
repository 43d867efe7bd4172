"""The user's settings file: `$SFN_TUI_CONFIG`, else `$XDG_CONFIG_HOME/sfn-tui/config.toml`
(`~/.config/sfn-tui/config.toml`). Command-line flags win over it.

    read_only = true        # never change anything (like --read-only)
    poll_interval = 5       # seconds between refreshes (like --poll-interval)

    [keys]                  # binding id = "key" (the help screen, ?, lists the ids)
    "main.start" = "ctrl+s"
    "app.refresh" = "f5,r"  # more than one key: comma-separated

The ids and keys are checked against the app's bindings at start (tui/keymap.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


class ConfigProblem(Exception):
    """The settings file cannot be used; the message says why and where."""


@dataclass(frozen=True, slots=True)
class Settings:
    read_only: bool = False
    poll_interval: float | None = None
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> keys


def config_path() -> Path:
    explicit = os.environ.get("SFN_TUI_CONFIG")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "sfn-tui" / "config.toml"


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    if not path.is_file():
        return Settings()
    import tomllib  # here: most launches have no settings file (the first frame waits)

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigProblem(f"cannot read the settings file {path}: {exc}") from None
    read_only = data.get("read_only", False)
    poll_interval = data.get("poll_interval")
    if not isinstance(read_only, bool):
        raise ConfigProblem(f"{path}: read_only must be true or false")
    if poll_interval is not None and (
        isinstance(poll_interval, bool) or not isinstance(poll_interval, int | float)
    ):
        raise ConfigProblem(f"{path}: poll_interval must be a number of seconds")
    unknown = sorted(set(data) - {"read_only", "poll_interval", "keys"})
    if unknown:
        raise ConfigProblem(f"{path}: unknown setting(s): {', '.join(unknown)}")
    return Settings(
        read_only=read_only,
        poll_interval=float(poll_interval) if poll_interval else None,
        keys=_keys(path, data.get("keys", {})),
    )


def _keys(path: Path, table: object) -> dict[str, str]:
    """The [keys] table as binding id -> keys; what the ids and keys mean is checked
    against the app's bindings later (tui/keymap.py)."""
    if not isinstance(table, dict):
        raise ConfigProblem(f'{path}: keys must be a table: [keys] then lines id = "key"')
    keys = {}
    for binding_id, value in table.items():
        if isinstance(value, list) and all(isinstance(k, str) for k in value):
            value = ",".join(value)
        if not isinstance(value, str) or not value.strip():
            raise ConfigProblem(
                f'{path}: [keys] {binding_id} must be a key in quotes, e.g. {binding_id} = "ctrl+s"'
            )
        keys[binding_id] = value
    return keys
