"""``python -m rouei`` is the ``rouei`` command."""

import sys

from rouei.extract.cli import main

sys.exit(main())
