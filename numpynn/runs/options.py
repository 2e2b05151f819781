"""Every run option, declared once: its field, its command-line flag, how the command
line reads it, its help, the commands that take it, whether a task's defaults may replace
it where the user left it unset, and whether ``--resume`` may change it.

The defaults are :class:`numpynn.runs.run.RunOptions`' and
:func:`numpynn.runs.run.default_train_config`'s (never repeated here); the command
line's parsers (``numpynn train``, the data options of ``numpynn search``), its flag
names in messages (``numpynn.cli.common.FLAGS``), the resume rules and the building of
``RunOptions`` from parsed arguments are all derived from :data:`OPTIONS`. Adding an
option to ``numpynn train`` is one :class:`Option` here and the code that uses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..data import PREPROCESSING_KINDS
from ..data.spec import SOURCE_DEFAULTS, DataSpec
from ..errors import InputError
from ..tasks import TASKS, Task
from ..training.optim import OPTIMIZERS
from ..training.schedules import SCHEDULES
from ..training.trainer import SELECT_RULES, TrainConfig
from ..validation import (
    DECAY,
    EPOCHS,
    FRACTION,
    NONNEGATIVE_NUMBER,
    POSITIVE_INT,
    POSITIVE_NUMBER,
    SEED,
    Rule,
)
from .run import RunOptions, default_train_config

DATA_HELP = ("data: digits (bundled); mnist, fashion-mnist or cifar10 (downloaded once into "
             "$NUMPYNN_DATA, default ~/.cache/numpynn; see 'numpynn data'); mnist:DIR, "
             "fashion-mnist:DIR, cifar10:DIR (files already on disk); FILE.csv (or .tsv, "
             ".csv.gz, .csv.bz2, .csv.xz, .csv.zip, a .zip of one table) "
             "(last column the label unless --label-column), FILE.npz (arrays X, y) or a "
             "folder of images, one subfolder per class (DIR/CLASS/IMAGE.png)")

#: how the command line reads a value (besides a numeric :class:`Rule`)
READERS = ("text", "lower", "sizes", "column", "columns", "delimiter", "spec", "switch", "reg",
           "scale")


@dataclass(frozen=True)
class Option:
    """One run option.

    field: ``RunOptions``' field, or ``train.<field>`` for a ``TrainConfig`` field;
    flag: the command line's; read: a :class:`numpynn.validation.Rule` for a number, or
    one of :data:`READERS`; choices: the values allowed (a callable when a registry
    lists them); help: its help text, where ``{default}`` is the default as the flag
    writes it and ``{task_defaults}`` what a task uses instead; commands: the commands
    that take it; per_task: a task's defaults replace it where the user left it unset;
    resumable: ``numpynn train --resume DIR`` may change it; to_value / to_flag: the
    flag's value as the option's (``--norm none`` is ``normalization=None``) and back.
    """

    field: str
    flag: str
    read: Rule | str
    help: str
    choices: Sequence[str] | Callable[[], Sequence[str]] | None = None
    commands: tuple[str, ...] = ("train",)
    per_task: bool = False
    resumable: bool = False
    metavar: str | None = None
    to_value: Callable[[Any], Any] | None = None
    to_flag: Callable[[Any], Any] | None = None
    #: (field, value): the option only matters where that field has that value (``--lr-decay``
    #: with ``--schedule step``); given otherwise, it is refused rather than ignored
    needs: tuple[str, Any] | None = None

    @property
    def name(self) -> str:
        """The option's name in the library (``lr``, ``batch_size``...)."""
        return self.field.rsplit(".", 1)[-1]

    @property
    def dest(self) -> str:
        """argparse's attribute for the flag (``--batch-size`` -> ``batch_size``)."""
        return self.flag.lstrip("-").replace("-", "_")

    def allowed(self) -> tuple[str, ...] | None:
        if self.choices is None:
            return None
        return tuple(self.choices() if callable(self.choices) else self.choices)

    def default(self, options: RunOptions | None = None) -> Any:
        """The option's value in ``options`` (default: the defaults of ``numpynn train``)."""
        options = options if options is not None else default_options()
        return get(options, self.field)

    def flag_value(self, value: Any) -> Any:
        """``value`` as the flag writes it."""
        return self.to_flag(value) if self.to_flag is not None else value

    def help_text(self) -> str:
        owners = [(entry.name, entry.cls.defaults) for entry in
                  (TASKS.entry(n) for n in TASKS.names())] + list(SOURCE_DEFAULTS.items())
        task_defaults = "; ".join(
            f"{name} {_flag_text(self.flag_value(defaults[self.name]))}"
            for name, defaults in owners if self.name in defaults)
        default = self.flag_value(self.default())
        if isinstance(default, list):
            default = ",".join(map(str, default))
        text = self.help if task_defaults else self.help.replace("; {task_defaults}", "")
        return text.format(default=default, task_defaults=task_defaults,
                                tasks=", ".join(TASKS.names()), data_help=DATA_HELP)


def _flag_text(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list) else str(value)


def default_options() -> RunOptions:
    """``numpynn train``'s defaults."""
    return RunOptions(train=default_train_config())


def get(options: RunOptions, field: str) -> Any:
    """The value of ``field`` (``lr`` or ``train.lr``) in ``options``."""
    head, _, rest = field.partition(".")
    return getattr(getattr(options, head), rest) if rest else getattr(options, head)


def with_values(options: RunOptions, values: Mapping[str, Any]) -> RunOptions:
    """A copy of ``options`` with the fields in ``values`` (``name`` or ``train.name``
    keys; a bare name is looked up among the declared options) set."""
    run, train = {}, {}
    train_fields = set(TrainConfig.__dataclass_fields__)
    for key, value in values.items():
        field = key if "." in key else FIELDS.get(key, key)
        head, _, rest = field.partition(".")
        if rest:
            train[rest] = value
        elif head in train_fields and head not in RunOptions.__dataclass_fields__:
            train[head] = value
        else:
            run[head] = value
    return replace(options, **run, train=replace(options.train, **train))


def _none_for(word: str) -> Callable[[Any], Any]:
    return lambda v: None if v == word else v


def _word_for_none(word: str) -> Callable[[Any], Any]:
    return lambda v: word if v is None else v


_DATA = ("train", "search")

OPTIONS: tuple[Option, ...] = (
    # the data: shared by train and search
    Option("data", "--data", "spec", "{data_help} (default {default})", commands=_DATA),
    Option("task", "--task", "text", "the task: {tasks}, or auto: regression when a CSV's "
           "label column looks continuous, with a note (default {default})",
           choices=lambda: ("auto", *TASKS.names()), commands=_DATA),
    Option("label_column", "--label-column", "column", "CSV column holding the label, by "
           "header name or index (0 the first, -1 the last; default {default})",
           commands=_DATA, metavar="NAME|INDEX"),
    Option("ignore_columns", "--ignore-columns", "columns", "CSV columns to skip, by name or "
           "index (0 the first, -1 the last), e.g. id,notes", commands=_DATA, metavar="COLS"),
    Option("delimiter", "--delimiter", "delimiter", "CSV field separator: , ; tab, "
           "| or space (default: detected among these)", commands=_DATA),
    Option("impute", "--impute", "text", "missing CSV cells (empty, NA, NaN, ?): median = the "
           "training split's median for a number, its most frequent category for text, "
           "stored in the model and named in a note (default); none = an error",
           choices=("none", "median"), commands=_DATA),
    Option("drop_unlabelled", "--drop-unlabelled", "switch", "leave out the CSV rows whose "
           "label cell is missing (named in a note) instead of refusing the file (default "
           "off)", commands=_DATA),
    Option("target_transform", "--target-transform", "text", "a regression's targets: auto "
           "(default: a heavy right tail without negative values is also trained on "
           "log(1 + y) and the better on validation kept, with a line saying which), none, "
           "or log", choices=("auto", "none", "log"), commands=_DATA),
    Option("header", "--header", "text", "whether the CSV's first row names the columns: "
           "auto (default: detected), yes or no; a model reads new files the same way",
           choices=("auto", "yes", "no"), commands=_DATA),
    Option("handle_unknown", "--handle-unknown", "text", "a category of a text column not "
           "seen in training, in a file given to predict or evaluate: ignore (default: "
           "encoded as all zeros, with a note naming the column, the values and the rows) "
           "or error (the row is refused)",
           choices=("error", "ignore"), commands=_DATA),
    Option("preprocessing", "--preprocessing", "text", "fitted on the training split only "
           "(default {default}; {task_defaults})", choices=PREPROCESSING_KINDS,
           commands=_DATA, per_task=True),
    Option("val_fraction", "--val-fraction", FRACTION, "validation share of the data; picks "
           "the kept epoch and the best trial (default: 0.1, or none below 10,000 rows "
           "outside the test part: then every row trains and the last epoch is kept)",
           commands=_DATA),
    Option("test_fraction", "--test-fraction", FRACTION, "test share when the data set has "
           "no test part (default {default})", commands=_DATA),
    Option("dtype", "--dtype", "text", "computation precision (default {default})",
           choices=("float32", "float64"), commands=_DATA),
    # the network and its training: train
    Option("hidden", "--hidden", "sizes", "hidden layer sizes, e.g. 100 or 512,256,128 "
           "(default {default}; {task_defaults})", per_task=True),
    Option("train.epochs", "--epochs", EPOCHS, "passes over the training data "
           "(default {default}; {task_defaults})", per_task=True, resumable=True),
    Option("train.batch_size", "--batch-size", POSITIVE_INT, "examples per step (default "
           "{default}; {task_defaults})", per_task=True),
    Option("train.optimizer", "--optimizer", "text", "update rule (default {default})",
           choices=lambda: OPTIMIZERS.names()),
    Option("train.lr", "--lr", POSITIVE_NUMBER, "learning rate (default {default}; "
           "{task_defaults})", per_task=True),
    Option("train.schedule", "--schedule", "text", "learning-rate schedule (default "
           "{default}; {task_defaults})", choices=lambda: SCHEDULES.names(), per_task=True),
    Option("train.lr_decay", "--lr-decay", DECAY, "factor in (0, 1] the rate is "
           "multiplied by after each epoch, for --schedule step only (refused with another "
           "schedule; default {default})", needs=("train.schedule", "step")),
    Option("reg", "--reg", "reg", "L2 strength: loss + 0.5*reg*sum(W**2), or auto: each "
           "of " + ", ".join(f"{r:g}" for r in Task.reg_candidates) + " trained and the "
           "best on held-out rows kept (the folds, else the validation split; default "
           "{default}; {task_defaults})", per_task=True),
    Option("weight_scale", "--weight-scale", "scale", "initial weight std, or he / glorot / "
           "auto (auto: He for the ReLU family, Glorot for tanh and sigmoid; default "
           "{default}; {task_defaults})", per_task=True),
    Option("activation", "--activation", "lower", "hidden activation: relu, leaky_relu, elu, "
           "tanh, sigmoid (logistic), gelu, identity (default {default})"),
    Option("dropout", "--dropout", NONNEGATIVE_NUMBER, "probability of dropping a hidden "
           "unit in training (default {default}; {task_defaults})", per_task=True),
    Option("augment", "--augment", "lower", "training-time image augmentation: none, or "
           "shift:S = each training image of each batch moved by a random whole number of "
           "pixels (dy, dx) in -S..S, the border filled with the background (what a 0 pixel "
           "becomes after --preprocessing); images only (digits, mnist, fashion-mnist, "
           "cifar10; refused for a table); validation, test and predict never augmented "
           "(default {default}; {task_defaults})", per_task=True,
           metavar="none|shift:S"),
    Option("normalization", "--norm", "text", "normalisation after each hidden affine layer "
           "(default {default})", choices=("none", "batch", "layer"),
           to_value=_none_for("none"), to_flag=_word_for_none("none")),
    Option("class_weight", "--class-weight", "text", "balanced: weight each class by n / "
           "(n_classes * count) in the loss, for imbalanced tables; such trials of a "
           "search train alone, not packed (default {default})",
           choices=("none", "balanced"), to_value=_none_for("none"),
           to_flag=_word_for_none("none"), commands=("train", "search")),
    Option("train.patience", "--patience", POSITIVE_INT, "stop after this many epochs "
           "without a lower validation loss (default {default}; {task_defaults})",
           per_task=True, resumable=True),
    Option("train.select", "--select", "text", "which validation epoch's parameters are "
           "kept: accuracy = the best score, what the run is judged by (accuracy, or R^2), "
           "the lower loss breaking ties; loss = the lowest validation loss; auto "
           "(default) = accuracy on 1,000 validation rows or more, balanced accuracy on two "
           "imbalanced classes, else loss",
           choices=tuple(SELECT_RULES), per_task=True),
    Option("refit", "--refit", "switch", "once the validation split has chosen the epoch "
           "count, train a fresh network on train + validation rows for that many epochs "
           "and save it instead (classification with a validation split only: refused "
           "without one; default off)"),
    Option("cv_folds", "--cv-folds", POSITIVE_INT, "choose the epoch count (and a "
           "regression's target transform) by K-fold cross-validation on the training rows "
           "instead of a validation split (default: 3 for a user's table of 100 to 10,000 "
           "training rows fitted on every row afterwards, else 1 = none)", metavar="K"),
    Option("final_fit", "--final-fit", "text", "the saved model: all = after the held-out "
           "figures, a fresh network trained on every row (train + validation + test) for "
           "the epoch count the validation split chose; none = the network the figures "
           "describe; auto (default): all for CSV and NPZ files, none for named data sets "
           "and with --refit", choices=("auto", "all", "none")),
    Option("ensemble", "--ensemble", POSITIVE_INT, "train K networks from different seeds "
           "together (packed) and average their class probabilities: one model file, the "
           "report shows each member's score beside the ensemble's (classification; not "
           "with --norm, --class-weight or --refit; no checkpoint; default {default}: one "
           "network)", metavar="K"),
    Option("train.seed", "--seed", SEED, "seed for init, split, shuffling (0 to 2**32-1)"),
)

#: a declared option's name -> its field (``lr`` -> ``train.lr``)
FIELDS: dict[str, str] = {o.name: o.field for o in OPTIONS}


def options_for(command: str) -> tuple[Option, ...]:
    """The options ``command`` takes, in declaration order."""
    return tuple(o for o in OPTIONS if command in o.commands)


#: the options that only a table (a CSV file) reads: ignored, in silence, for another
#: source (``--label-column 2`` with an .npz: its y stays the label)
TABLE_ONLY = ("label_column", "ignore_columns", "delimiter", "header", "impute",
              "drop_unlabelled", "handle_unknown")


def _refuse_table_options(data: str, given: Sequence[Option]) -> None:
    """InputError where options that only a CSV file reads (``given``) come with data
    that is no table: a data set by name, an .npz file, a folder of images."""
    if not given:
        return
    spec = DataSpec.parse(data)
    if spec.source in ("csv", "unknown"):  # unknown: a missing file, said when loading
        return
    kind = {"npz": "an .npz file (its arrays are the features and the labels)",
            "images": "a folder of images (its subfolders are the classes)"}.get(
        spec.source, f"the data set {spec.text} (its features and labels are fixed)")
    flags = ", ".join(o.flag for o in given)
    one = len(given) == 1
    raise InputError(f"{flags} {'reads' if one else 'read'} the columns of a CSV file, and "
                     f"--data {data} is {kind}, so {'it' if one else 'they'} would be "
                     f"ignored: leave {'it' if one else 'them'} out, or give the data as a "
                     "CSV file.", param=given[0].name)


def resumable_dests() -> set[str]:
    """argparse destinations that ``--resume`` may change."""
    return {o.dest for o in OPTIONS if o.resumable}


def run_options(command: str, values: Mapping[str, Any], given: Iterable[str],
                base: RunOptions | None = None) -> RunOptions:
    """``RunOptions`` from ``command``'s parsed command-line ``values`` (argparse
    destinations) of its declared options; a per-task option the user did not give
    (``given``: the destinations typed) keeps its default and is listed in
    ``task_defaults``, for the run's task to replace."""
    given = set(given)
    base = base if base is not None else default_options()
    chosen, unset = {}, []
    for option in options_for(command):
        if option.dest not in values:
            continue
        if option.per_task and option.dest not in given:
            unset.append(option.name)
            continue
        value = values[option.dest]
        chosen[option.field] = option.to_value(value) if option.to_value else value
    result = replace(with_values(base, chosen), task_defaults=unset)
    _refuse_table_options(result.data, [o for o in options_for(command)
                                        if o.dest in given and o.name in TABLE_ONLY])
    for option in options_for(command):
        if option.needs is None or option.dest not in given:
            continue
        field, wanted = option.needs
        name = field.rsplit(".", 1)[-1]
        actual = get(result, field)
        if actual != wanted:
            raise InputError(f"`{option.name}` is used with `{name}={wanted!r}` only, and this "
                             f"run's {name} is {actual!r}, which would ignore it: add "
                             f"`{name}={wanted!r}`, or leave out `{option.name}`.",
                             param=option.name)
    return result
