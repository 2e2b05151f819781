"""Fitting a network, fast: the Trainer (:mod:`.trainer`: epochs, validation, early
stopping, checkpoints, resume), the engine that runs its steps in place (:mod:`.engine`,
:mod:`.blas`), the optimisers and schedules (registered by name: :mod:`.optim`,
:mod:`.schedules`), and K networks trained together (:mod:`.packed`, :mod:`.ensemble`).

The package imports none of them itself: the public names are ``numpynn.Trainer``,
``numpynn.TrainConfig``, ``numpynn.History`` (and the modules' own)."""
