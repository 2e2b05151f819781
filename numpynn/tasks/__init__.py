"""Tasks: what differs between classification and regression, each a registered class
(:class:`Task`); a run, a search and a model file ask the task by name."""

from .base import TASKS, Identity, Targets, Task, check_task_choice, loss_cell, task_named
from .choice import load_for_task
from .classification import Classification
from .regression import Regression, ScaledTargets, random_split

__all__ = ["TASKS", "Classification", "Identity", "Regression", "ScaledTargets", "Targets",
           "Task", "check_task_choice", "load_for_task", "loss_cell", "random_split",
           "task_named"]
