"""Learntools-style exercises for the notebooks (one module per notebook).

    from rmteach.exercises import nb02 as ex
    ex.stable_pairwise_loss.check(my_pairwise_loss)   # prints "Correct: …" or what is wrong
    ex.stable_pairwise_loss.hint()
    ex.stable_pairwise_loss.solution()

``EXERCISES`` maps "nbNN.name" to every exercise; see :mod:`rmteach.exercises._base`
for how to write one.
"""

from . import nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb11, nb12
from ._base import KINDS, CheckResult, Exercise, NotYet, Wrong, call

__all__ = ["EXERCISES", "KINDS", "CheckResult", "Exercise", "NotYet", "Wrong", "call", "nb01",
           "nb02", "nb03", "nb04", "nb05", "nb06", "nb07", "nb08", "nb09", "nb11",
           "nb12"]

EXERCISES: dict[str, Exercise] = {
    f"{module.__name__.rsplit('.', 1)[-1]}.{name}": getattr(module, name)
    for module in (nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb11, nb12)
    for name in module.__all__
}
