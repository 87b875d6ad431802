"""Exercises of notebooks 08 and 09: each typical mistake gets the message that names it."""

import numpy as np

from rmteach.exercises import nb08, nb09


def _msg(ex, answer):
    r = ex.evaluate(answer)
    assert not r.ok and r.message.startswith("Not quite"), r.message
    return r.message


def test_best_of_n_mistakes():
    ex = nb08.best_of_n
    assert "index" in _msg(ex, lambda ys, rs, n: int(np.argmax(rs[:n])))
    assert "of *all* the responses" in _msg(ex, lambda ys, rs, n: ys[int(np.argmax(rs))])
    assert "lowest reward" in _msg(ex, lambda ys, rs, n: ys[int(np.argmin(rs[:n]))])
    last_on_tie = lambda ys, rs, n: ys[n - 1 - int(np.argmax(rs[:n][::-1]))]  # noqa: E731
    assert "on a tie keep the first" in _msg(ex, last_on_tie)
    assert ex.evaluate(lambda ys, rs, n: ys[int(np.argmax(rs[:n]))]).ok


def test_kl_penalised_reward_mistakes():
    ex = nb09.kl_penalised_reward
    assert "added the KL term" in _msg(ex, lambda r, lp, lr, b: r + b * (lp - lr))
    assert "log π_ref − log" in _msg(ex, lambda r, lp, lr, b: r - b * (lr - lp))
    assert "forgot β_KL" in _msg(ex, lambda r, lp, lr, b: r - (lp - lr))
    assert "probability ratio" in _msg(ex, lambda r, lp, lr, b: r - b * np.exp(lp - lr))
    assert "shape" in _msg(ex, lambda r, lp, lr, b: float(np.sum(r)))
    # the per-token variant: a sum over the tokens, NaN is no token
    whole_only = lambda r, lp, lr, b: r - b * (lp - lr)  # noqa: E731
    assert not ex.evaluate(whole_only).ok
    per_token_mean = lambda r, lp, lr, b: r - b * (np.nanmean(lp - lr, axis=-1) if np.ndim(lp) == 2 else lp - lr)  # noqa: E501, E731
    assert "averaged the per-token" in _msg(ex, per_token_mean)
    nan_sum = lambda r, lp, lr, b: r - b * (np.sum(lp - lr, axis=-1) if np.ndim(lp) == 2 else lp - lr)  # noqa: E501, E731
    assert "returned NaN" in _msg(ex, nan_sum)
    good = lambda r, lp, lr, b: r - b * (np.nansum(lp - lr, axis=-1) if np.ndim(lp) == 2 else lp - lr)  # noqa: E501, E731
    assert ex.evaluate(good).ok


def test_kl_penalised_reward_model_answer_matches_the_package_on_whole_responses():
    from rmteach.experiments.policy import kl_penalised_reward

    for r, lp, lr, b in nb09._CASES:
        if np.ndim(lp) == 1:
            assert np.allclose(nb09._penalised(r, lp, lr, b), kl_penalised_reward(r, lp, lr, b))
