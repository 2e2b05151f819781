"""What a refused command line most likely meant, said after argparse's complaint.

argparse says "unrecognized arguments: --trials 5" and nothing more; users bring the
habits of other tools: ``--model m.npz`` where numpynn takes the model as an argument,
``numpynn export m.npz --out m.onnx``, ``--learning-rate``, ``-e 5``, an option of another
command (``train --trials``), or several values where one is taken (``train --hidden 100
50``, ``train --lr 1e-3,1e-2``: lists are numpynn search's). Each hint is ``"; ..."``, to
follow the message, or ``""``.
"""

from __future__ import annotations

import argparse
import difflib
import re
from collections.abc import Sequence

from ..validation import OTHER_NAMES

#: a positional argument's other tools' flags (``--model m.npz``, ``-o out.onnx``)
POSITIONAL_FLAGS: dict[str, tuple[str, ...]] = {
    "model": ("--model", "-m", "--model-path", "--model-file", "--load"),
    "output": ("--output", "--out", "-o", "--output-file", "--outfile"),
}
#: other tools' flags for numpynn's (library parameter names, as in OTHER_NAMES)
CLI_NAMES: dict[str, tuple[str, ...]] = {
    "output": ("out",), "output_dir": ("out",), "outdir": ("out",), "o": ("out", "output"),
    "n_trials": ("trials",), "n_iter": ("trials",), "num_trials": ("trials",),
    "e": ("epochs",), "max_epochs": ("epochs",), "epoch": ("epochs",),
    "iterations": ("epochs",), "bs": ("batch_size",), "batch": ("batch_size",),
    **dict.fromkeys(("hidden_layers", "hidden_layer", "layers", "hidden_units", "units",
                     "hidden_size", "hidden_sizes", "layer_sizes"), ("hidden",)),
    **dict.fromkeys(("val_split", "validation_split", "valid_split", "validation_size",
                     "val_size", "valid_fraction", "validation"), ("val_fraction",)),
    **dict.fromkeys(("test_split", "test_ratio", "holdout"), ("test_fraction",)),
    **dict.fromkeys(("early_stopping", "early_stop", "earlystopping"), ("patience",)),
    **dict.fromkeys(("workers", "n_jobs", "num_workers", "n_workers", "threads",
                     "processes", "nthread", "nthreads", "num_threads", "n_threads"),
                    ("jobs",)),
    **dict.fromkeys(("target", "y", "target_column", "target_col", "label", "label_col",
                     "y_column", "class_column", "class"), ("label_column",)),
    **dict.fromkeys(("drop", "drop_columns", "drop_cols", "exclude", "exclude_columns",
                     "skip_columns", "ignore", "ignore_cols"), ("ignore_columns",)),
    **dict.fromkeys(("sep", "separator", "delim"), ("delimiter",)),
    **dict.fromkeys(("lr_scheduler", "lr_schedule", "scheduler"), ("schedule",)),
    # XGBoost's, LightGBM's and glmnet's names of the L2 strength and of the rounds
    **dict.fromkeys(("l2", "lambda", "reg_lambda", "lambda_l2", "l2_reg", "l2_lambda",
                     "weight_decay_l2", "l2_regularization"), ("reg",)),
    **dict.fromkeys(("num_round", "num_rounds", "num_boost_round", "n_estimators",
                     "num_iterations", "num_iteration", "nrounds"), ("epochs",)),
    **dict.fromkeys(("early_stopping_rounds", "early_stopping_patience",
                     "stopping_rounds"), ("patience",)),
}
#: flags that a numpynn command has for something else than another tool means by them:
#: said beside "an option of numpynn X" (train --eta: XGBoost's learning rate)
OTHER_MEANINGS: dict[str, str] = {
    "--eta": "XGBoost's eta, the learning rate, is --lr",
}
#: Weka's (and R's RWeka's) one-letter options: flag -> numpynn's way
WEKA_FLAGS: dict[str, str] = {
    "-t": "Weka's -t FILE (the training file) is --data FILE",
    "-T": "Weka's -T FILE (a test file) is numpynn evaluate MODEL --data FILE",
    "-x": "Weka's -x N (N-fold cross-validation) is --cv-folds N",
    "-c": "Weka's -c N (the class attribute, counted from 1; 'last') is --label-column "
          "INDEX (counted from 0; -1 the last)",
    "-d": "Weka's -d FILE (where to save the model) is --out DIR (the model is DIR/model.npz)",
    "-l": "Weka's -l FILE (a saved model) is the model argument: numpynn predict MODEL ...",
    "-N": "Weka's -N (the hidden layers) is --hidden 100,50",
    "-H": "Weka's -H (the hidden layers) is --hidden 100,50",
    "-L": "Weka's -L (the learning rate) is --lr",
}
#: starts of a flag's name that argparse would complete to a flag other tools do not mean
#: by them (``--weight 1e-4``, weight decay, was read as --weight-scale 1e-4: a network
#: that never trains); they are refused, naming what each could be
MISREAD_STARTS: dict[str, str] = {
    "--weight": "--weight-scale is the initial weights' spread; weight decay (L2) is "
                "--reg, class weights --class-weight",
    "--schedule": "--scheduler is the address of a Dask cluster; the learning-rate "
                  "schedule, --schedule, is an option of numpynn train (a search's trials "
                  "take the data set's own schedule: the constant rate, or mnist's cosine)",
}
#: where the results of a command without --json are, for a machine to read
JSON_HOMES: dict[str, str] = {
    "train": "numpynn train writes its results as JSON into --out: history.json (every "
             "epoch, the kept one, the metrics); numpynn evaluate OUT --json prints the "
             "metrics",
    "search": "numpynn search writes its results as JSON into --out: results.json (every "
              "trial, best first) and trials.jsonl",
    "predict": "numpynn predict writes a CSV table (--output FILE.csv), which every JSON "
               "tool can read from: e.g. pandas.read_csv(FILE).to_json()",
}
#: other tools' flags choosing the output's format (--format json), said as --json is
FORMAT_FLAGS = ("format", "output_format", "out_format", "fmt")
#: other tools' flags that numpynn has no flag for, and why (said instead of nothing)
NO_SUCH_FLAG: dict[str, str] = {
    **dict.fromkeys(("device", "gpu", "cuda", "cpu", "accelerator", "gpus"),
                    "numpynn runs on the CPU with NumPy: there is no device to choose (the "
                    "environment variable OPENBLAS_NUM_THREADS sets its threads)"),
    **dict.fromkeys(("dry_run", "dryrun", "check_only"),
                    "numpynn has no dry run: numpynn explain shows the network's shapes, and "
                    "--epochs 1 tries the whole run quickly"),
    **dict.fromkeys(("verbose", "v", "verbosity"),
                    "numpynn prints the run's header and every epoch by default; --quiet "
                    "prints neither"),
    **dict.fromkeys(("features", "feature_columns", "x", "x_columns", "columns", "usecols"),
                    "numpynn takes every column but the label as a feature: leave the others "
                    "out with --ignore-columns"),
    **dict.fromkeys(("index_col", "index_column", "index"),
                    "an index column of row numbers (pandas' to_csv, R's row names) is left "
                    "out on its own; leave out other columns with --ignore-columns"),
    **dict.fromkeys(("loss", "criterion", "objective"),
                    "the loss follows the task: softmax cross-entropy for --task "
                    "classification, squared error for --task regression"),
    **dict.fromkeys(("metric", "metrics", "scoring"),
                    "runs report accuracy (classes) or R^2, RMSE and MAE (regression); "
                    "--select chooses the epoch kept by validation loss or accuracy"),
    **dict.fromkeys(("scale", "standardize", "standardise", "normalize", "normalise",
                     "scaler"),
                    "the features are standardized by default: --preprocessing "
                    "standardize, center, scale or none (--norm adds batch or layer "
                    "normalisation inside the network)"),
    **dict.fromkeys(("momentum", "beta1", "beta_1", "nesterov"),
                    "--optimizer momentum or nesterov keeps 0.9 of the last step (adam: "
                    "beta1 0.9); numpynn has no flag to change it"),
}
#: other tuners' flags (scikit-learn's, Optuna's, hyperopt's, Ray Tune's, W&B sweeps')
#: that numpynn search has otherwise or not at all: the name -> numpynn's way. Before,
#: --space s.json was "did you mean --pack?", --metric "--select chooses the epoch" (a
#: train option), --max-evals and --cv nothing.
SEARCH_FLAGS: dict[str, str] = {
    **dict.fromkeys(("space", "search_space", "param_grid", "param_distributions",
                     "param_space", "grid_file", "space_file", "params", "sweep",
                     "sweep_config"),
                    "numpynn search takes its space as flags, one per parameter: --lr "
                    "1e-4:1e-2 --reg 0,1e-4 --hidden 64 128,64 --batch-size 32,64 ... "
                    "(--grid: every combination); a space kept in a JSON file is a dict "
                    "of lists, which the Python API takes: numpynn.search.search(options, "
                    "json.load(open('space.json')))"),
    **dict.fromkeys(("max_evals", "num_samples", "n_trials", "n_iter", "num_trials",
                     "iterations", "budget"),
                    "numpynn's flag for the number of random trials is --trials"),
    **dict.fromkeys(("cv", "cv_folds", "folds", "n_splits", "kfold", "k_fold"),
                    "a search ranks its trials on one validation split (--val-fraction), "
                    "with no cross-validation; numpynn train --cv-folds K chooses one "
                    "network's epoch count by K-fold"),
    **dict.fromkeys(("metric", "metrics", "scoring", "objective", "direction", "mode_metric",
                     "maximize", "minimize", "score"),
                    "a search ranks its trials by validation accuracy (balanced accuracy "
                    "where the classes are imbalanced), a regression's by validation loss "
                    "(R^2 shown); no flag changes it"),
    **dict.fromkeys(("random_state", "random_seed", "sampler_seed"),
                    "numpynn's flag for it is --seed"),
    **dict.fromkeys(("n_jobs", "n_workers", "workers", "num_workers", "parallel"),
                    "numpynn's flag for it is --jobs (-1: every core)"),
    **dict.fromkeys(("refit",), "numpynn's flag for it is --refit-best (the default)"),
    **dict.fromkeys(("study_name", "storage", "load_if_exists", "restore"),
                    "a search is kept in its --out directory; numpynn search --resume DIR "
                    "continues it"),
}
#: other tools' values for numpynn's choices: flag -> {value: the hint}
OTHER_CHOICES: dict[str, dict[str, str]] = {
    "--optimizer": {
        "adamw": "numpynn has no AdamW: --optimizer adam with --reg R adds L2 to the loss "
                 "(weight decay coupled to the gradient, not AdamW's decoupled decay)",
        "nadam": "numpynn has no Nadam: --optimizer adam, or nesterov (SGD with Nesterov's "
                 "momentum)",
        **dict.fromkeys(("adagrad", "adadelta"), "numpynn has no Adagrad or Adadelta: "
                        "rmsprop is the nearest (a running average of squared gradients)"),
        "lbfgs": "numpynn has no L-BFGS (scikit-learn's solver for small data): adam, "
                 "the default, or sgd",
        **dict.fromkeys(("sgd_momentum", "sgdm"), "--optimizer momentum is SGD with "
                        "momentum"),
    },
    "--header": {
        **dict.fromkeys(("0", "true", "1", "infer"), "--header yes: the first row names the "
                        "columns (pandas' header=0), or auto to decide from the file"),
        **dict.fromkeys(("none", "false", "-1"), "--header no: the first row is data "
                        "(pandas' header=None)"),
    },
    "--task": {
        **dict.fromkeys(("classifier", "classify", "class", "classes", "multiclass",
                         "binary", "clf"), "--task classification"),
        **dict.fromkeys(("regressor", "regress", "reg", "regr"), "--task regression"),
        # XGBoost's and LightGBM's objectives
        **dict.fromkeys(("binary:logistic", "binary:logitraw", "binary:hinge",
                         "multi:softmax", "multi:softprob", "multiclassova", "softmax",
                         "cross_entropy", "multi_logloss"),
                        "--task classification (its loss is softmax cross-entropy)"),
        **dict.fromkeys(("reg:squarederror", "reg:linear", "reg:squaredlogerror",
                         "reg:absoluteerror", "l2", "mse", "regression_l2", "rmse"),
                        "--task regression (its loss is squared error)"),
    },
    "--impute": dict.fromkeys(
        ("mean", "most_frequent", "mode", "zero", "0", "constant"),
        "numpynn fills a missing number with the training median and a missing category "
        "with the most frequent one (--impute median); for another value fill the cells "
        "before"),
    "--dtype": {**dict.fromkeys(("float", "single", "fp32", "f4", "float16", "half", "fp16"),
                                "--dtype float32"),
                **dict.fromkeys(("double", "fp64", "f8"), "--dtype float64")},
    "--schedule": {
        **dict.fromkeys(("exponential", "exp", "exponentiallr", "exponential_decay",
                         "steplr", "multistep", "multisteplr", "decay", "invscaling"),
                        "--schedule step with --lr-decay F multiplies the rate by F after "
                        "each epoch (PyTorch's ExponentialLR; StepLR's gamma)"),
        **dict.fromkeys(("reducelronplateau", "reduce_lr_on_plateau", "adaptive"),
                        "--schedule plateau"),
        **dict.fromkeys(("cosineannealinglr", "cosine_decay", "cosinedecay"),
                        "--schedule cosine"),
        **dict.fromkeys(("none", "fixed", "const"), "--schedule constant"),
    },
    "--norm": {"bn": "--norm batch", "ln": "--norm layer",
               **dict.fromkeys(("false", "no", "off", "0"), "--norm none")},
    "--select": {
        **dict.fromkeys(("val_loss", "valid_loss", "validation_loss", "min", "logloss",
                         "mlogloss"), "--select loss (Keras' monitor='val_loss')"),
        **dict.fromkeys(("val_acc", "val_accuracy", "max", "error", "merror",
                         "r2", "score"), "--select accuracy (the best score: accuracy, or "
                        "R^2 for a regression)"),
    },
    "--class-weight": {
        **dict.fromkeys(("auto", "balanced_subsample", "inverse", "true", "yes"),
                        "--class-weight balanced (scikit-learn's class_weight='balanced', "
                        "formerly 'auto')"),
        **dict.fromkeys(("false", "no", "off", "uniform"), "--class-weight none"),
    },
    "--final-fit": {
        **dict.fromkeys(("true", "yes", "1", "on"), "--final-fit all (a final network "
                        "trained on every row)"),
        **dict.fromkeys(("false", "no", "0", "off"), "--final-fit none (the network the "
                        "figures describe)"),
    },
    "--preprocessing": {
        **dict.fromkeys(("standard", "zscore", "z-score", "standardise", "normalize",
                         "normalise"), "--preprocessing standardize (the default)"),
        **dict.fromkeys(("minmax", "min-max", "min_max"), "numpynn has no min-max scaling: "
                        "--preprocessing scale divides by the spread, standardize also "
                        "centres"),
    },
}


#: other tools' words for numpynn's commands (scikit-learn's verbs, Keras', ONNX tools')
OTHER_COMMANDS: dict[str, str] = {
    **dict.fromkeys(("fit", "learn", "run", "model"), "train"),
    **dict.fromkeys(("eval", "test", "score", "validate", "assess", "metrics"), "evaluate"),
    **dict.fromkeys(("infer", "inference", "predict_proba", "predict-proba", "apply",
                     "classify", "serve"), "predict"),
    **dict.fromkeys(("tune", "hpo", "sweep", "optimize", "optimise", "gridsearch",
                     "grid-search", "random-search"), "search"),
    **dict.fromkeys(("convert", "onnx", "save", "to-onnx"), "export"),
    **dict.fromkeys(("list", "datasets", "download", "fetch", "cache"), "data"),
    **dict.fromkeys(("doc", "man", "manual", "guide"), "docs"),
    **dict.fromkeys(("explainer", "backprop", "shapes"), "explain"),
    **dict.fromkeys(("check", "gradients", "grad-check", "grad_check"), "gradcheck"),
}


#: other tools' commands for what numpynn does without a command of its own
NO_SUCH_COMMAND: dict[str, str] = dict.fromkeys(
    ("report", "reports", "plot", "plots", "show", "dashboard", "tensorboard", "summary",
     "visualize", "visualise"),
    "numpynn has no command for it: numpynn train and numpynn search write their report "
    "(report.html, with its plots) into their output directory; open RUN/report.html in "
    "a browser, and numpynn evaluate MODEL prints a model's scores")


def command_hint(given: str) -> str:
    """For a command numpynn does not have: numpynn's command for another tool's word
    (``fit``: train), or the command it is a typo of ("; ..."); else ""."""
    from .main import COMMANDS

    word = given.strip().lower()
    if word == "version":
        return "; for the version: numpynn --version"
    if word in NO_SUCH_COMMAND:
        return f"; {NO_SUCH_COMMAND[word]}"
    meant = OTHER_COMMANDS.get(word)
    if meant is None:
        near = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.7)
        return f"; did you mean numpynn {near[0]}?" if near else ""
    proba = " (--proba adds the probabilities)" if word.startswith("predict") else ""
    return f"; numpynn's command for it is {meant}: numpynn {meant} ...{proba}"


def choice_hint(flag: str, value: str, choices: Sequence[str] = ()) -> str:
    """For a value ``flag`` refuses that another tool takes: numpynn's way ("; ..."); else,
    for a misspelt or lengthened choice (``regresion``, ``batchnorm``, ``acc``), the one of
    ``choices`` it means; else ""."""
    word = value.strip().lower()
    hint = OTHER_CHOICES.get(flag, {}).get(word)
    if hint:
        return f"; {hint}"
    if len(word) < 3:
        return ""
    starts = [c for c in choices if len(c) >= 3 and (word.startswith(c) or c.startswith(word))]
    near = starts if len(starts) == 1 else difflib.get_close_matches(word, list(choices), n=1,
                                                                     cutoff=0.75)
    return f"; did you mean {flag} {near[0]}?" if near else ""


def ambiguous_hint(given: str) -> str:
    """For a flag's start that several flags begin with (``--drop``: --dropout and
    --drop-unlabelled), the flag other tools mean by it, where numpynn names it otherwise
    ("; ..."); else ""."""
    from .common import flags

    meant = [flags().get(n) for n in CLI_NAMES.get(given[2:].replace("-", "_").lower(), ())]
    other = next((m for m in meant if m), None)
    return f"; for other tools' {given}, numpynn's flag is {other}" if other else ""


def abbreviation_hint(flag: str, argv: Sequence[str]) -> str:
    """Where ``argv`` gave ``flag`` by the start of its name (``--target`` for
    --target-transform: argparse completes a flag's start), that it was read so, and the
    flag the start names in other tools where that is another ("; ..."); else ""."""
    if flag in argv or any(a.startswith(f"{flag}=") for a in argv):
        return ""
    given = next((a.split("=", 1)[0] for a in argv if a.startswith("--") and len(a) > 2
                  and flag.startswith(a.split("=", 1)[0])), None)
    if given is None:
        return ""
    from .common import flags

    meant = [flags().get(n) for n in CLI_NAMES.get(given[2:].replace("-", "_").lower(), ())]
    other = next((m for m in meant if m and m != flag), None)
    also = f"; for other tools' {given}, numpynn's flag is {other}" if other else ""
    return f"; {given} was read as {flag}, the flag it starts{also}"
#: the commands whose results are what they print (no output file of their own)
PRINTING = ("evaluate", "explain", "docs", "gradcheck")
_ORDINALS = ("first", "second", "third")
_NUMBER = re.compile(r"^-(\d|\.\d|inf|nan)", re.IGNORECASE)


def _options(parser: argparse.ArgumentParser) -> dict[str, argparse.Action]:
    return {o: a for a in parser._actions for o in a.option_strings}


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def takes_a_list(action: argparse.Action | None) -> bool:
    """Whether ``action`` takes several values (search's ``--lr 1e-3,1e-2``, ``--hidden
    128 256,128``)."""
    return action is not None and (action.nargs == "+" or action.metavar in ("VALUES",
                                                                              "NAMES"))


def extras_hint(top: argparse.ArgumentParser, extras: Sequence[str],
                argv: Sequence[str]) -> str:
    """The hint for the arguments ``extras`` that ``argv``'s command did not take."""
    if not extras or not argv:
        return ""
    command = argv[0]
    parser = _subparsers(top).get(command)
    if parser is None:
        return ""
    first = extras[0]
    if first.lower() in ("help", "?") and extras == [first]:  # numpynn train help
        return f"; for help: numpynn {command} --help"
    if first == "--":  # the shell's end of options (`train -- --data x.csv`)
        return (f"; '--' ends the options, and numpynn {command} takes no arguments after "
                "it: leave it out")
    assigned = assignments_hint(parser, extras)
    if assigned:
        return assigned
    if first.startswith("-") and not _NUMBER.match(first):
        return _option_hint(command, parser, first.split("=", 1)[0])
    if command == "gradcheck" and first.lower().endswith((".py", ".ipynb")):
        return (f"; numpynn gradcheck takes the file to check with --file: numpynn gradcheck "
                f"--file {first}")  # as pytest, mypy and python take a file
    return _value_hint(command, parser, first, argv)


def _option_hint(command: str, parser: argparse.ArgumentParser, flag: str) -> str:
    prog = f"numpynn {command}"
    original = flag
    own = _options(parser)
    positionals = [a for a in parser._actions if not a.option_strings]
    name = flag.lstrip("-").replace("-", "_").lower()
    for i, action in enumerate(positionals):  # --model m.npz: an argument without a flag
        if flag in POSITIONAL_FLAGS.get(action.dest, ()) or name == action.dest:
            usage = " ".join((a.metavar or a.dest).upper() for a in positionals)
            more = " ..." if len(own) > 2 else ""  # options besides -h/--help
            return (f"; {prog} takes the {action.dest} as its {_ORDINALS[min(i, 2)]} argument, "
                    f"without a flag: {prog} {usage}{more}")
    if command in PRINTING and flag in POSITIONAL_FLAGS["output"]:  # evaluate -o m.json
        json = " (--json: as JSON)" if "--json" in own else ""
        return (f"; {prog} prints its results to standard output: redirect them, {prog} ... "
                f"> FILE{json}")
    if re.fullmatch(r"-[A-Za-z]", flag) and flag in WEKA_FLAGS:
        return f"; {WEKA_FLAGS[flag]}"
    if name in ("version", "v") and flag.startswith("--"):  # numpynn train --version
        return "; the version is numpynn's own option, before any command: numpynn --version"
    if name in ("json", *FORMAT_FLAGS) and command in JSON_HOMES:
        return f"; {JSON_HOMES[command]}"
    if name in FORMAT_FLAGS and "--json" in own:  # evaluate --format json
        return f"; {prog} prints a table, or JSON with --json"
    if command == "search" and name in SEARCH_FLAGS:
        return f"; {SEARCH_FLAGS[name]}"
    if name in ("config", "config_file", "configfile", "cfg"):
        return ("; numpynn reads no configuration file: give the options as flags (a "
                "shell script or an alias keeps them)")
    if name in NO_SUCH_FLAG:
        return f"; {NO_SUCH_FLAG[name]}"
    negated = _negated_switch_hint(flag, own)
    if negated:
        return negated
    from .common import flags
    from .main import COMMANDS, build_parser  # every command's options, on this error only

    everyone = _subparsers(build_parser())
    named = flags()
    for equivalent in (*CLI_NAMES.get(name, ()), OTHER_NAMES.get(name)):
        other = named.get(equivalent or "")
        if other in own:
            return f"; numpynn's flag for it is {other}"
        if other and other != flag:
            flag = other  # said below as the other command's option
    elsewhere = [c for c in COMMANDS if c != command and flag in _options(everyone[c])]
    if elsewhere:
        where = " and ".join(f"numpynn {c}" for c in elsewhere)
        said = f"numpynn's flag for it is {flag}, an option" if flag != original else \
            f"{flag} is an option"
        other_meaning = f" ({OTHER_MEANINGS[flag]})" if flag in OTHER_MEANINGS else ""
        return f"; {said} of {where}, not of {prog}{other_meaning}"
    longs = [o for o in own if o.startswith("--")]
    if re.fullmatch(r"-[A-Za-z]", flag):  # a short flag: numpynn's are long, but -h
        near = [o for o in longs if o[2:3] == flag[1].lower()]
        if near:
            listed = " or ".join(near[:4])
            return f"; numpynn's options are long (only -h is short): did you mean {listed}?"
        return "; numpynn's options are long (only -h is short)"
    near = difflib.get_close_matches(flag, longs, n=1, cutoff=0.75)
    return f"; did you mean {near[0]}?" if near else ""


#: other tools' flags for numpynn's switches (a switch is no run option: not in flags())
OTHER_SWITCHES: dict[str, str] = {
    **dict.fromkeys(("silent", "quiet_mode", "no_progress", "no_verbose"), "--quiet"),
    **dict.fromkeys(("force", "overwrite_output", "clobber"), "--overwrite"),
}


def _negated_switch_hint(flag: str, own: dict[str, argparse.Action]) -> str:
    """``--no-quiet``, ``--no-overwrite`` (a switch's negation, argparse's
    BooleanOptionalAction habit) and ``--report`` (where the switch is ``--no-report``):
    that the default is already what they ask, and the other tools' name of a switch
    (``--silent``, ``--force``); else "". Before, difflib offered the switch of the
    opposite meaning ("--no-overwrite: did you mean --overwrite?")."""
    name = flag[2:] if flag.startswith("--") else ""
    switches = {o for o, a in own.items() if a.nargs == 0 and o != "--help"}
    other = OTHER_SWITCHES.get(name.replace("-", "_").lower())
    if other in switches:
        return f"; numpynn's flag for it is {other}"
    if name.startswith("no-") and f"--{name[3:]}" in switches:
        return (f"; --{name[3:]} is off unless given, so {flag} is the default already: "
                "leave it out")
    if f"--no-{name}" in switches:
        return (f"; the {name.replace('-', ' ')} is made unless --no-{name} is given, so "
                f"{flag} is the default already: leave it out")
    return ""


def _value_hint(command: str, parser: argparse.ArgumentParser, value: str,
                argv: Sequence[str]) -> str:
    """``--hidden 100 50``, ``--lr 0.1 0.01``: a value after an option's one value."""
    own = _options(parser)
    for i in range(2, len(argv)):
        if argv[i] != value:
            continue
        switch = own.get(argv[i - 1].split("=", 1)[0])
        if switch is not None and switch.nargs == 0 and switch.option_strings[0] != "-h":
            return switch_hint(argv[i - 1], value)
        flag, given = argv[i - 2], argv[i - 1]
        if "=" in argv[i - 1] and argv[i - 1].startswith("--"):
            flag, given = argv[i - 1].split("=", 1)
        action = own.get(flag)
        if action is None or action.nargs is not None or given.startswith("-") and \
                not _NUMBER.match(given):
            continue
        return one_value_hint(command, flag, [given, value])
    return ""


#: how other tools write a boolean flag's value
_TRUE_WORDS = ("true", "yes", "1", "on", "y", "t")
_FALSE_WORDS = ("false", "no", "0", "off", "n", "f", "none")


def switch_hint(flag: str, value: str) -> str:
    """``--refit true``, ``--quiet 1``: a switch takes no value ("; ...")."""
    word = value.strip().lower()
    if word in _FALSE_WORDS:
        return f"; {flag} is a switch, which takes no value: to leave it off, leave {flag} out"
    said = " alone" if word in _TRUE_WORDS else f" alone ({value!r} is not its value)"
    return f"; {flag} is a switch, which takes no value: give {flag}{said}"


def assignments_hint(parser: argparse.ArgumentParser, extras: Sequence[str]) -> str:
    """``lr=1e-3,1e-2 epochs=5``: options written as Hydra, W&B sweeps, make or a config
    line write them; the flags they are ("; ..."), else "" (before: "unrecognized
    arguments: lr=1e-3,1e-2" alone)."""
    own = _options(parser)
    flags_given = []
    for extra in extras:
        assigned = re.fullmatch(r"([A-Za-z][\w-]*)=(.*)", extra)
        flag = _flag_for(assigned.group(1), own) if assigned else None
        if flag is None:
            continue
        value = assigned.group(2)
        switch = own[flag].nargs == 0  # --halving, --quiet: a flag without a value
        flags_given.append(f"{flag} {value}" if value and not switch else flag)
    if not flags_given:
        return ""
    return f"; numpynn takes options as flags: {' '.join(flags_given)}"


def _flag_for(name: str, own: dict[str, argparse.Action]) -> str | None:
    """The command's flag that ``name`` (``lr``, ``batch_size``, ``learning_rate``,
    ``n_trials``) names, or None."""
    from .common import flags

    key = name.replace("-", "_").lower()
    named = flags()
    for candidate in (key, *CLI_NAMES.get(key, ()), OTHER_NAMES.get(key) or ""):
        flag = named.get(candidate) or (f"--{candidate.replace('_', '-')}" if candidate
                                        else None)
        if flag in own:
            return flag
    return None


def one_value_hint(command: str, flag: str, values: Sequence[str]) -> str:
    """The hint for several ``values`` given to ``command``'s ``flag``, which takes one:
    a network's layers are one comma list; several values to try are numpynn search's."""
    if flag == "--hidden" and command != "search":
        return (f"; {flag} takes one comma list, one size per hidden layer: {flag} "
                f"{','.join(values)} (numpynn search {flag} {' '.join(values)} tries "
                "several networks, one per list)")
    if command == "search" and flag != "--hidden" and _search_takes_a_list(flag):
        return (f"; {flag} takes one comma list of the values to try: {flag} "
                f"{','.join(values)}")
    return search_list_hint(command, flag, values) or (
        f"; {flag} takes one value, got {values[0]} and then {values[1]}")


def _search_takes_a_list(flag: str) -> bool:
    from .main import build_parser

    return takes_a_list(_options(_subparsers(build_parser(["search"]))["search"]).get(flag))


def search_list_hint(command: str, flag: str, values: Sequence[str]) -> str:
    """Where numpynn search takes a list for ``flag`` and ``command`` one value: that
    search tries several; else ""."""
    if command == "search" or flag == "--hidden":
        return ""
    from .main import build_parser

    search = _options(_subparsers(build_parser(["search"]))["search"])
    if not takes_a_list(search.get(flag)):
        return ""
    return (f"; numpynn {command} takes one {flag} value; numpynn search tries several: "
            f"numpynn search ... {flag} {','.join(values)}")
