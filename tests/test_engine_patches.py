"""The moto version check guards every patch of the embedded engine (local/patches.py).

Each patch module reaches into moto 5.2.5's internals: on any other moto, installing must
refuse (RuntimeError) and change nothing in moto. Checked in a fresh interpreter, since
this one's engine is patched already.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import moto

from sfn_tui.local import patches

LOCAL = Path(patches.__file__).parent


def test_moto_is_the_pinned_version() -> None:
    # A new moto needs a fresh look at every patch before this pin moves.
    assert moto.__version__ == patches.MOTO_VERSION == "5.2.5"


def installers() -> set[str]:
    """The modules of sfn_tui.local that define install() (a patch of moto)."""
    found = set()
    for path in LOCAL.glob("*.py"):
        tree = ast.parse(path.read_text())
        if any(isinstance(n, ast.FunctionDef) and n.name == "install" for n in tree.body):
            found.add(path.stem)
    return found - {"patches"}


def test_every_patch_module_is_registered() -> None:
    assert installers() == set(patches.PATCHES)
    assert len(patches.PATCHES) == len(set(patches.PATCHES))


GUARD = textwrap.dedent(
    """
    import importlib, pkgutil, sys
    import moto, moto.stepfunctions

    for info in pkgutil.walk_packages(moto.stepfunctions.__path__, "moto.stepfunctions."):
        try:  # provider.py and a few others import LocalStack: not part of moto's engine
            importlib.import_module(info.name)
        except ImportError:
            pass

    def snapshot():
        seen = {}
        for name, module in list(sys.modules.items()):
            if not name.startswith("moto.stepfunctions") or module is None:
                continue
            for key, value in list(vars(module).items()):
                seen[(name, key)] = id(value)
                if isinstance(value, type) and value.__module__ == name:
                    for attr, member in list(vars(value).items()):
                        seen[(name, key, attr)] = id(member)
        return seen

    from sfn_tui.local import patches

    before = snapshot()
    moto.__version__ = "5.2.6"
    refused = []
    for install in [patches.install] + [
        importlib.import_module("sfn_tui.local." + n).install for n in patches.PATCHES
    ]:
        try:
            install()
        except RuntimeError as error:
            assert "moto 5.2.6 is installed" in str(error), error
            refused.append(install.__module__)
    assert len(refused) == len(patches.PATCHES) + 1, refused
    assert snapshot() == before, "patched although the version check refused"

    moto.__version__ = patches.MOTO_VERSION
    patches.install()
    changed = {k for k, v in snapshot().items() if before.get(k) != v}
    assert len(changed) > 20, changed  # the snapshot does see the patches
    print("guarded", len(refused), len(changed))
    """
)


def test_another_moto_is_refused_and_nothing_is_patched() -> None:
    result = subprocess.run(
        [sys.executable, "-c", GUARD], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("guarded")
