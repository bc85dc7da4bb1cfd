from __future__ import annotations

import sys

from eligibility.cli import main

# Guarded: worker processes import the main module and must not run the CLI again.
if __name__ == "__main__":
    sys.exit(main())
