"""``python -m feemodel``: the same as the ``feemodel`` command."""

from .apps.cli import main

main()
