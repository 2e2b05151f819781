"""Layers: one module per operation, each with its readable forward/backward pair (CS231n
style), its parameter and buffer specs, and optionally a fast kernel; a registry names them.

``from numpynn.layers import affine_forward, relu_backward, ...`` gives the readable
pairs; :data:`LAYERS` maps names to :class:`Layer` classes (see :mod:`.base` for the
contract and :mod:`.registry` to add your own).
"""

# Importing each module registers its layer.
from .affine import Affine, affine_backward, affine_forward
from .base import BufferSpec, GradSink, Kernel, Layer, ParamSpec, ReferenceKernel, make_kernel
from .batchnorm import (
    BatchNorm,
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
)
from .dropout import Dropout, dropout_backward, dropout_forward, keep_mask
from .elu import ELU, elu_backward, elu_forward
from .gelu import GELU, gelu_backward, gelu_forward
from .identity import Identity, identity_backward, identity_forward
from .layernorm import LayerNorm, layernorm_backward, layernorm_forward
from .leaky_relu import LeakyReLU, leaky_relu_backward, leaky_relu_forward
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
from .sigmoid import Sigmoid, sigmoid_backward, sigmoid_forward
from .tanh import Tanh, tanh_backward, tanh_forward

__all__ = [
    "ALIASES", "LAYERS", "Affine", "BatchNorm", "BufferSpec", "Dropout", "ELU", "GELU",
    "GradSink", "Identity", "Kernel", "Layer", "LayerNorm", "LeakyReLU", "ParamSpec",
    "ReLU", "ReferenceKernel", "Sigmoid", "Tanh", "affine_backward", "affine_forward",
    "affine_relu_backward", "affine_relu_forward", "batchnorm_backward",
    "batchnorm_backward_alt", "batchnorm_forward", "build_layer", "canonical_name",
    "dropout_backward", "dropout_forward", "elu_backward", "elu_forward", "gelu_backward",
    "gelu_forward", "get_layer", "identity_backward", "identity_forward", "keep_mask",
    "layer_config", "layer_from_config", "layernorm_backward", "layernorm_forward",
    "leaky_relu_backward", "leaky_relu_forward", "make_kernel", "register", "relu_backward",
    "relu_forward", "sigmoid_backward", "sigmoid_forward", "tanh_backward", "tanh_forward",
    "unregister",
]
