"""The registry of layers by name: how networks, model files, the CLI, the estimator and
``numpynn gradcheck`` find every operation.

A new layer is one module with a :class:`~numpynn.layers.base.Layer` subclass decorated
with :func:`register` (imported in ``numpynn/layers/__init__.py``), or, for a layer of
your own, a class registered at run time: nothing else changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import InputError
from .base import CoursePair, Layer

LAYERS: dict[str, type[Layer]] = {}
ALIASES: dict[str, str] = {}


#: CS231n function name -> its :class:`CoursePair`: every registered layer's, and the
#: pairs of operations that are not layers (``affine_relu``); ``gradcheck --file`` checks
#: a learner's functions of these names
COURSE: dict[str, CoursePair] = {}


def register_course(pair: CoursePair) -> CoursePair:
    """Add (or replace) the course functions named ``pair.name``."""
    COURSE[pair.name] = pair
    return pair


def register(cls: type[Layer] | None = None, *, aliases: tuple[str, ...] = (),
             replace: bool = False):
    """Class decorator: add a Layer subclass to :data:`LAYERS` under ``cls.name``.

    aliases: other accepted names (e.g. scikit-learn's ``"logistic"`` for sigmoid);
    replace: allow re-registering a name (otherwise a clash is an error).
    """

    def add(layer_cls: type[Layer]) -> type[Layer]:
        name = layer_cls.name
        if not name or not isinstance(name, str):
            raise ValueError(f"{layer_cls.__name__} needs a class attribute name = '...'")
        for key in (name, *aliases):
            if not replace and (key in LAYERS or key in ALIASES) and (
                    LAYERS.get(key) is not layer_cls):
                raise ValueError(f"a layer named {key!r} is already registered")
        LAYERS[name] = layer_cls
        for alias in aliases:
            ALIASES[alias] = name
        if layer_cls.course is not None:
            register_course(layer_cls.course)
        return layer_cls

    return add if cls is None else add(cls)


def unregister(name: str) -> None:
    """Remove a layer (and its aliases) from the registry."""
    cls = LAYERS.pop(name, None)
    for alias in [a for a, target in ALIASES.items() if target == name]:
        del ALIASES[alias]
    # its course functions go with it, unless another layer has them too (a subclass of
    # ReLU inherits ReLU's: removing it took "relu" out of gradcheck --file for good)
    if (cls is not None and cls.course is not None
            and COURSE.get(cls.course.name) is cls.course
            and not any(other.course is cls.course for other in LAYERS.values())):
        del COURSE[cls.course.name]


def canonical_name(name: Any, what: str = "layer") -> str:
    """The registered name for ``name`` or one of its aliases (case-insensitive)."""
    key = name.strip().lower() if isinstance(name, str) else name
    key = ALIASES.get(key, key)
    if not isinstance(key, str) or key not in LAYERS:
        raise InputError(f"unknown {what} {name!r}; registered layers: "
                         f"{', '.join(sorted(LAYERS))}.")
    return key


def get_layer(name: str) -> type[Layer]:
    """The Layer class registered as ``name`` (or an alias of it)."""
    return LAYERS[canonical_name(name)]


def build_layer(name: str, **options: Any) -> Layer:
    """An instance of the layer ``name`` with ``options``; bad options are an InputError."""
    cls = get_layer(name)
    try:
        return cls(**options)
    except (TypeError, ValueError) as exc:
        raise InputError(f"layer {name!r}: {exc}") from None


def layer_config(layer: Layer) -> dict[str, Any]:
    """``{"name": ..., "options": {...}}``: how model files record a layer."""
    return {"name": layer.name, "options": layer.config()}


def layer_from_config(entry: Mapping[str, Any]) -> Layer:
    """Inverse of :func:`layer_config`."""
    if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str) or (
            not isinstance(entry.get("options", {}), Mapping)):
        raise InputError(f"a layer entry must be {{'name': str, 'options': dict}}; got "
                         f"{entry!r:.80}")
    return build_layer(entry["name"], **dict(entry.get("options", {})))
