"""Layers: one module per operation, each with its readable forward/backward pair (CS231n
style), its parameter and buffer specs, and optionally a fast kernel; a registry names them.

``from numpynn.layers import affine_forward, relu_backward, ...`` gives the readable
pairs; :data:`LAYERS` maps names to :class:`Layer` classes (see :mod:`.base` for the
contract and :mod:`.registry` to add your own).
"""

from . import affine, relu  # noqa: F401  (each module registers its layer)
from .affine import Affine, affine_backward, affine_forward
from .base import BufferSpec, GradSink, Kernel, Layer, ParamSpec, ReferenceKernel, make_kernel
from .registry import (
    ALIASES,
    LAYERS,
    build_layer,
    canonical_name,
    get_layer,
    layer_config,
    layer_from_config,
    register,
    unregister,
)
from .relu import ReLU, relu_backward, relu_forward
from .sandwich import affine_relu_backward, affine_relu_forward

__all__ = [
    "ALIASES", "LAYERS", "Affine", "BufferSpec", "GradSink", "Kernel", "Layer", "ParamSpec",
    "ReLU", "ReferenceKernel", "affine_backward", "affine_forward", "affine_relu_backward",
    "affine_relu_forward", "build_layer", "canonical_name", "get_layer", "layer_config",
    "layer_from_config", "make_kernel", "register", "relu_backward", "relu_forward",
    "unregister",
]
