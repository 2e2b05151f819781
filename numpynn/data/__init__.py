"""Data sets: bundled digits, CIFAR-10, (Fashion-)MNIST, CSV and NPZ files; splits;
preprocessing. MNIST, Fashion-MNIST and CIFAR-10 download on demand into a cache
(:mod:`numpynn.data.download`).

Data flow: ``load_dataset(spec)`` returns raw arrays in a :class:`Dataset`;
:func:`train_val_test_split` splits them (stratified, seeded); a
:class:`Preprocessor` is fitted on the training part only and applied to every part.
Every problem with a data file, directory or spec raises
:class:`~numpynn.errors.DataError`.
"""

from .cifar import load_cifar10
from .csv_file import load_csv
from .dataset import Dataset
from .download import download_dataset
from .idx import load_mnist, read_idx
from .npz_file import load_npz
from .preprocessing import KINDS as PREPROCESSING_KINDS
from .preprocessing import Preprocessor
from .safe_pickle import SafeUnpickler, safe_load_pickle, safe_loads
from .sources import is_csv_spec, is_npz_spec, load_dataset, load_digits, load_fashion_mnist
from .split import train_val_test_split
from .table import TableRecipe, looks_continuous

__all__ = [
    "PREPROCESSING_KINDS",
    "Dataset",
    "Preprocessor",
    "SafeUnpickler",
    "TableRecipe",
    "download_dataset",
    "is_csv_spec",
    "is_npz_spec",
    "load_cifar10",
    "load_csv",
    "load_dataset",
    "load_digits",
    "load_fashion_mnist",
    "load_mnist",
    "load_npz",
    "looks_continuous",
    "read_idx",
    "safe_load_pickle",
    "safe_loads",
    "train_val_test_split",
]
