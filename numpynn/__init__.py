"""numpynn: a small, fast, correct neural-network library on NumPy."""

from .models import MLP, TwoLayerNet

__version__ = "0.1.0"
__all__ = ["MLP", "TwoLayerNet", "__version__"]
