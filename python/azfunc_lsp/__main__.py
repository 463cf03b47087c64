"""``python -m azfunc_lsp``: runs the installed ``azfunc-lsp`` binary with the same arguments."""

from __future__ import annotations

import os
import subprocess
import sys

from azfunc_lsp import find_azfunc_lsp_bin


def main() -> None:
    try:
        binary = find_azfunc_lsp_bin()
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
    argv = [binary, *sys.argv[1:]]
    if sys.platform == "win32":
        # Windows has no exec that keeps the console and the exit code: wait for the child.
        try:
            sys.exit(subprocess.call(argv))
        except KeyboardInterrupt:
            sys.exit(130)
    os.execv(binary, argv)


if __name__ == "__main__":
    main()
