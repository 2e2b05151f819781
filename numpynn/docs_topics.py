"""The documentation shipped inside the package (``numpynn/docs/*.md``).

Read through :mod:`importlib.resources`, so it works from a source checkout, an
installed wheel or a zip alike. ``numpynn docs`` lists the topics; ``numpynn docs
TOPIC`` prints one.
"""

from __future__ import annotations

from importlib import resources

from .errors import InputError


def topics() -> dict[str, str]:
    """Topic name -> its title (the first ``# `` line), sorted by name."""
    folder = resources.files("numpynn") / "docs"
    found = {}
    for item in folder.iterdir():
        if item.name.endswith(".md"):
            first = item.read_text(encoding="utf-8").lstrip().splitlines()[0]
            found[item.name[:-3]] = first.lstrip("# ").strip()
    return dict(sorted(found.items()))


def read_topic(name: str) -> str:
    """The Markdown text of topic ``name`` (``backprop``, ``gradcheck``, ...)."""
    name = name.strip()
    name = name[:-3] if name.lower().endswith(".md") else name
    available = topics()
    if name not in available and name.lower() in available:  # BACKPROP, Backprop
        name = name.lower()
    if name not in available:
        raise InputError(f"no docs topic {name!r}; topics are {', '.join(available)} "
                         "('numpynn docs' lists them).")
    return (resources.files("numpynn") / "docs" / f"{name}.md").read_text(encoding="utf-8")
