"""Exercises of notebook 08 (best-of-n and shortcuts).

* ``best_of_n`` (implement) – write ``my_best_of_n(responses, rewards, n)``: of the first ``n``
  responses drawn, return the one the learned reward model scores highest (the first
  of them on a tie), as :func:`rmteach.experiments.sampling.best_of_n` picks.
"""

from __future__ import annotations

from ._base import Exercise, Wrong, call, describe, require_callable

__all__ = ["best_of_n"]

_NAME = "my_best_of_n"
#: (responses, learned rewards, n)
_CASES = [
    (["sunny thanks", "ugh stupid", "um like so", "cloudy storm glad"], [0.4, -2.0, 1.1, 0.9], 4),
    (["sunny thanks", "ugh stupid", "um like so", "cloudy storm glad"], [0.4, -2.0, 1.1, 0.9], 2),
    (["oven", "pasta", "garlic"], [-1.5, -0.5, -3.0], 3),
    (["orbit comet", "galaxy", "mars mars"], [2.0, 2.0, 1.0], 3),
    (["melody", "chord please", "drums"], [0.3, 5.0, 0.1], 1),
]


def _reference(responses, rewards, n):
    drawn = list(rewards[:n])
    return responses[drawn.index(max(drawn))]


def _check(fn) -> str:
    require_callable(fn, _NAME)
    for responses, rewards, n in _CASES:
        args = f"{describe(responses)}, {describe(rewards)}, {n}"
        got = call(fn, list(responses), list(rewards), n, name=_NAME)
        want = _reference(responses, rewards, n)
        if got == want:
            continue
        if isinstance(got, (int,)) and not isinstance(got, bool):
            raise Wrong(f"{_NAME}({args}) returned the number {got!r}; return the response "
                        f"text itself ({want!r}), not its index.")
        if got == responses[list(rewards).index(max(rewards))]:
            raise Wrong(f"{_NAME}({args}) returned {got!r}, the best of *all* the responses. "
                        f"Only the first n = {n} were drawn: pick among responses[:n].")
        if got == responses[list(rewards[:n]).index(min(rewards[:n]))]:
            raise Wrong(f"{_NAME}({args}) returned {got!r}, the lowest reward. Best-of-n keeps "
                        "the highest learned reward.")
        if got in responses[:n] and rewards[responses.index(got)] == max(rewards[:n]):
            raise Wrong(f"{_NAME}({args}) returned {got!r}, which ties for the highest "
                        f"reward; on a tie keep the first one drawn ({want!r}).")
        raise Wrong(f"{_NAME}({args}) returned {got!r}; expected {want!r}.")
    return ("best-of-n keeps the draw the learned reward model likes most; notebook 08 "
            "shows what that does to the true reward.")


best_of_n = Exercise(
    name="best_of_n",
    starter='''\
def my_best_of_n(responses, rewards, n):
    # Your code here: return the best of responses[:n] by its learned reward.
    ...


ex.best_of_n.check(my_best_of_n)
''',
    title="Best-of-n selection",
    task=("Write my_best_of_n(responses, rewards, n): responses[i] has learned reward "
          "rewards[i]; only the first n responses were drawn. Return the drawn response with "
          "the highest learned reward (the first one on a tie)."),
    hint=("Only the responses that were drawn compete. Which of them does the learned reward "
          "like most, and which one wins when two drawn responses share the top reward?"),
    solution_code='''
def my_best_of_n(responses, rewards, n):
    drawn = list(rewards[:n])
    return responses[drawn.index(max(drawn))]
''',
    checker=_check)
