"""The model file under the name numpynn 0.2 gave it (``from numpynn.io import
load_model``): the code is :mod:`numpynn.model_file`."""

from .model_file import (
    SavedModel,
    load_model,
    read_container,
    save_model,
    write_container,
    write_json_atomic,
    write_text_atomic,
)

__all__ = ["SavedModel", "load_model", "read_container", "save_model", "write_container",
           "write_json_atomic", "write_text_atomic"]
