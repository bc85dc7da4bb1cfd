from __future__ import annotations

import sys

from eligibility.cli import main

sys.exit(main())
