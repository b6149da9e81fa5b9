"""`python -m transforms <command>`: the same as the `hscp` console command (transforms.cli)."""

import sys

from transforms.cli import main

if __name__ == "__main__":
    sys.exit(main())
