"""Export: a saved model as one ONNX graph (:mod:`.onnx`; ``numpynn export``)."""

from .onnx import OPSET, register_converter, to_onnx

__all__ = ["OPSET", "register_converter", "to_onnx"]
