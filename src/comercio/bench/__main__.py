"""``python -m comercio.bench``: run the benchmarks, write bench/results/*.json and docs/benchmarks.md."""

import sys

from comercio.bench._cli import main

sys.exit(main())
