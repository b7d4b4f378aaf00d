"""`python -m ghostpen` runs the `ghostpen` command."""

import sys

from ghostpen.cli import main

if __name__ == "__main__":
    sys.exit(main())
