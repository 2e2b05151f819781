"""CS231n's course surface, with each assignment's conventions.

* :class:`TwoLayerNet`: **assignment 1** (``classifiers/neural_net.py``):
  ``TwoLayerNet(input_size, hidden_size, output_size, std=1e-4)``, initial weights
  ``std * np.random.randn`` from NumPy's global generator (``np.random.seed`` sets them),
  ``loss(X, y=None, reg=0.0)`` with the penalty ``reg * sum(W**2)`` (gradient ``2 reg W``).
* :class:`FullyConnectedNet`: **assignment 2** (``classifiers/fc_net.py``):
  ``FullyConnectedNet(hidden_dims, input_dim=3*32*32, num_classes=10,
  dropout_keep_ratio=1, normalization=None, reg=0.0, weight_scale=1e-2,
  dtype=np.float32, seed=None)``, the penalty ``0.5 * reg * sum(W**2)`` (gradient
  ``reg W``), parameters ``W1, b1, gamma1, beta1, ...``; with ``seed`` the dropout mask
  is drawn afresh from that seed on every forward (the same mask each time, as the
  course's notebook expects for its gradient check).
* :func:`course_update` and :class:`numpynn.Solver`'s ``update_rule``: the course's
  optimiser protocol ``update(w, dw, config) -> (next_w, config)``; the learner's own
  function, or the course's rules (:data:`~numpynn.cs231n.optim.COURSE_RULES`: ``sgd``,
  ``sgd_momentum``, ``rmsprop``, ``adam``) for a model that is not a numpynn network;
  :func:`solver_checkpoint` reads a Solver checkpoint back as the course's dict.

numpynn's own :class:`numpynn.TwoLayerNet` (:mod:`.two_layer_net`: assignment 2's names
with assignment 1's ``train`` loop) and :class:`numpynn.MLP` keep numpynn's conventions
(``0.5 * reg``, assignment 2's; initial weights from their ``seed``); ``numpynn.Solver``
is :mod:`.solver`.
"""

from .nets import FullyConnectedNet, TwoLayerNet
from .optim import CourseOptimizer, course_update, solver_checkpoint

__all__ = ["CourseOptimizer", "FullyConnectedNet", "TwoLayerNet", "course_update",
           "solver_checkpoint"]
