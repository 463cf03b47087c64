"""The azfunc-lsp command as a Python package.

The wheel installs the native ``azfunc-lsp`` binary into the environment's scripts folder
(``bin/`` or ``Scripts\\``); :func:`find_azfunc_lsp_bin` finds it again for ``python -m azfunc_lsp``
and for tools that want to run it.
"""

from __future__ import annotations

import os
import sys
import sysconfig

__all__ = ["find_azfunc_lsp_bin"]


def _candidate_dirs() -> list[str]:
    """Folders where an installer may have put the binary, most likely first."""
    dirs = [sysconfig.get_path("scripts")]
    # pip install --user
    user_scheme = _user_scheme()
    if user_scheme is not None:
        dirs.append(sysconfig.get_path("scripts", scheme=user_scheme))
    # pip install --target DIR puts the package in DIR and the binary in DIR/bin
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirs.append(os.path.join(package_parent, "bin"))
    # pip install --prefix DIR: DIR/lib/pythonX.Y/site-packages/azfunc_lsp -> DIR/bin
    dirs.append(os.path.join(package_parent, os.pardir, os.pardir, os.pardir, "bin"))
    # Windows layouts: DIR\Lib\site-packages\azfunc_lsp -> DIR\Scripts
    dirs.append(os.path.join(package_parent, os.pardir, os.pardir, "Scripts"))
    return dirs


def _user_scheme() -> str | None:
    if sys.version_info >= (3, 10):
        return sysconfig.get_preferred_scheme("user")
    if os.name == "nt":
        return "nt_user"
    if sys.platform == "darwin" and sys._framework:  # type: ignore[attr-defined]
        return "osx_framework_user"
    return "posix_user"


def find_azfunc_lsp_bin() -> str:
    """The path of the ``azfunc-lsp`` binary installed with this package.

    Raises ``FileNotFoundError`` naming every folder looked in when it is not found.
    """
    name = "azfunc-lsp" + (sysconfig.get_config_var("EXE") or "")
    tried = []
    for folder in _candidate_dirs():
        if not folder:
            continue
        path = os.path.normpath(os.path.join(folder, name))
        if path in tried:
            continue
        tried.append(path)
        if os.path.isfile(path):
            return path
    raise FileNotFoundError(
        "the azfunc-lsp binary was not found; looked for " + ", ".join(tried)
    )
