"""The ``numpynn`` command: thin wrappers that parse, call the library, print, exit."""

from .main import main

__all__ = ["main"]
