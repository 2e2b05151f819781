"""The commands of ``numpynn`` and their one-line help: the one table that the top-level
parser lists (without importing any command's module) and that each command's own parser
uses for its summary."""

from __future__ import annotations

#: command name -> one-line help; the command's code is ``numpynn.cli.<name>_cmd``
COMMAND_HELP: dict[str, str] = {
    "train": "train a network and save model, history and report",
    "evaluate": "measure a saved model on labelled data",
    "predict": "predict classes (or values) of new data with a saved model",
    "search": "random or grid hyper-parameter search (local processes or Dask)",
    "data": "list and download the standard data sets (mnist, fashion-mnist, cifar10)",
    "explain": "show every forward/backward tensor of a network with its shape and equation",
    "export": "write a saved model as an ONNX graph (for onnxruntime)",
    "gradcheck": "check backward passes against numerical gradients (docs: numpynn docs gradcheck)",
    "docs": "print the documentation (numpynn docs backprop, numpynn docs gradcheck)",
}
