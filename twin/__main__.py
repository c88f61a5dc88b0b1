"""``python -m twin`` runs the ``twin`` command."""

import sys

from twin.cli import console

sys.exit(console())
