"""Things chosen by name (optimisers, learning-rate schedules): each class registers itself
under its names and declares its hyper-parameters once, and everything that lists, checks
or builds them (the factories, the command line's choices, the estimator's parameters,
checkpoints) asks the registry.

    @OPTIMIZERS.register("adam")
    class Adam(Optimizer):
        hyper = {"beta1": Hyper(0.9, UNIT_INTERVAL), ...}

``OPTIMIZERS.build("adam", lr, beta1=0.8)`` then makes one, refusing an argument Adam does
not declare. A name may preset some hyper-parameters of its class
(``register("nesterov", nesterov=True)`` on the momentum class): they are not the caller's
to give, and an instance answers to the most specific name its values match
(:meth:`Registry.name_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .errors import InputError
from .validation import Rule, check_bool

T = TypeVar("T")


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


#: the default of a hyper-parameter that has none: the caller must give it
REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Hyper:
    """One hyper-parameter: its default and the rule its values follow (``None``: a
    boolean). ``doc`` says what it is, for help texts."""

    default: Any
    rule: Rule | None = None
    doc: str = ""

    def check(self, value: Any, name: str) -> Any:
        """``value`` as this hyper-parameter's type, or InputError naming ``name``."""
        if self.rule is None:
            return check_bool(value, name)
        return self.rule.check(value, name)


def check_hyper(declared: Mapping[str, Hyper], given: Mapping[str, Any], owner: str,
                positional: tuple[Any, ...] = ()) -> dict[str, Any]:
    """Every declared hyper-parameter's value: ``given``'s, checked, or its default.
    ``positional`` values, if any, come first, in the declared order (as a signature
    ``owner(lr, *declared)`` would take them).

    Raises:
        InputError: a name ``owner`` does not declare, too many or doubly given values, a
            required one missing, or a value its rule refuses.
    """
    if len(positional) > len(declared):
        raise InputError(f"{owner} takes at most {len(declared) + 1} positional arguments "
                         f"(lr" + "".join(f", {k}" for k in declared) + f"); got "
                         f"{len(positional) + 1}")
    given = dict(given)
    for name, value in zip(declared, positional):
        if name in given:
            raise InputError(f"{owner} got {name} twice (by position and by name)")
        given[name] = value
    unknown = [k for k in given if k not in declared]
    if unknown:
        raise InputError(f"{owner} takes no argument {unknown[0]!r}; it takes lr"
                         + "".join(f", {k}" for k in declared))
    values = {}
    for name, spec in declared.items():
        value = given.get(name, spec.default)
        if value is REQUIRED:
            words = spec.rule.words if spec.rule is not None else "a boolean"
            raise InputError(f"{owner} needs {name} ({words})")
        values[name] = spec.check(value, name)
    return values


def check_state_header(state: Any, kind: str, keys: set[str], name: str) -> None:
    """Refuse a ``state_dict()`` of a named object (an optimizer or a schedule, ``kind``)
    that is not a mapping with exactly ``keys``, or that names another entry than
    ``name``."""
    if not isinstance(state, Mapping):
        raise InputError(f"state must be a dict from state_dict(), got {type(state)}")
    if set(state) != keys:
        raise InputError(f"{kind} state must have the keys {sorted(keys)}, got {sorted(state)}")
    if state["name"] != name:
        raise InputError(f"{kind} state is for {state['name']!r}, cannot load it into {name!r}")


@dataclass(frozen=True)
class Entry(Generic[T]):
    """A registered name: its class and the hyper-parameters the name presets."""

    name: str
    cls: type[T]
    preset: Mapping[str, Any]

    @property
    def arguments(self) -> tuple[str, ...]:
        """The hyper-parameters a caller may give under this name (besides ``lr``)."""
        return tuple(k for k in getattr(self.cls, "hyper", {}) if k not in self.preset)


class Registry(Generic[T]):
    """Names -> classes of one kind (``kind``: "optimizer", "schedule"), in the order
    they were registered; names are matched without regard to case or surrounding spaces."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def register(self, name: str, **preset: Any) -> Callable[[type[T]], type[T]]:
        """Class decorator: ``cls`` answers to ``name``, with ``preset`` hyper-parameters."""

        def add(cls: type[T]) -> type[T]:
            key = name.strip().lower()
            if key in self._entries and self._entries[key].cls is not cls:
                raise ValueError(f"{self.kind} {key!r} is already registered")
            declared = getattr(cls, "hyper", {})
            for k in preset:
                if k not in declared:
                    raise ValueError(f"{cls.__name__} declares no hyper-parameter {k!r}")
            self._entries[key] = Entry(key, cls, dict(preset))
            return cls

        return add

    def names(self) -> tuple[str, ...]:
        """Every registered name, in registration order."""
        return tuple(self._entries)

    def entry(self, name: Any) -> Entry[T]:
        """The entry of ``name``, or InputError listing the valid names."""
        key = name.strip().lower() if isinstance(name, str) else None
        if key not in self._entries:
            raise InputError(f"unknown {self.kind} {name!r}; valid names: "
                             f"{', '.join(self._entries)}")
        return self._entries[key]

    def build(self, name: Any, *args: Any, **kwargs: Any) -> T:
        """An instance of ``name``'s class with its preset and ``kwargs`` (only the
        hyper-parameters the name leaves to the caller)."""
        entry = self.entry(name)
        for k in kwargs:
            if k not in entry.arguments:
                raise InputError(f"{self.kind} {entry.name!r} takes no argument {k!r}; it "
                                 "takes lr" + "".join(f", {a}" for a in entry.arguments))
        return entry.cls(*args, **entry.preset, **kwargs)

    def name_of(self, obj: Any) -> str:
        """The most specific registered name whose class is ``obj``'s and whose preset
        values ``obj`` holds (e.g. "nesterov" for momentum with ``nesterov=True``)."""
        matches = [e for e in self._entries.values() if type(obj) is e.cls
                   and all(getattr(obj, k, None) == v for k, v in e.preset.items())]
        if not matches:
            return type(obj).__name__.lower()
        return max(matches, key=lambda e: len(e.preset)).name
