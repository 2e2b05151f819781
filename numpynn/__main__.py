"""``python -m numpynn``: the same as the ``numpynn`` command."""

from numpynn.cli.main import run

run()
