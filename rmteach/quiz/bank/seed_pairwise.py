"""The seed questions of notebooks 01 and 02: the preference probability, the pair-wise loss.

    seed  id                        notebook                      answer
    4     expected-vs-empirical     02_pairwise_loss              a
    5     confidence-and-loss       02_pairwise_loss              (a number)
    6     inconsistent-scenario     01_preference_probability     d
    7     preference-invariance     01_preference_probability     c
    9     two-pair-loss             02_pairwise_loss              d

Every wrong option is a real misconception and says why it is wrong; options are about as
long as the answer, and the answers are spread over the letters (``tests/test_quiz.py``
checks both over the whole bank). Every number quoted is computed here, so the bank cannot
drift from the math. Notation as in the book: D_r, L_r(φ), Pr_φ.
"""

from __future__ import annotations

import math

from ...math.losses import pairwise_loss, preference_probability
from ..kit import MultipleChoice, Numeric, Quiz

__all__ = ["QUIZ_LIST"]

NB01 = "01_preference_probability"
NB02 = "02_pairwise_loss"

MC = MultipleChoice.of

LN2 = math.log(2.0)

_LOSS = ("L<sub>r</sub>(φ) = −E<sub>(x, y<sub>a</sub>, y<sub>b</sub>) ∼ D<sub>r</sub></sub>"
         "[log Pr<sub>φ</sub>(y<sub>a</sub> ≻ y<sub>b</sub> | x)]")

def _f(x) -> float:
    return float(x)

# --- numbers used below (all computed) ------------------------------------------------
_WRONG4 = _f(pairwise_loss(-4.0, 0.0))          # confident and wrong, Δ = −4

_RIGHT4 = _f(pairwise_loss(4.0, 0.0))           # confident and right, Δ = +4

_SIG4 = _f(preference_probability(4.0, 0.0))    # Sigmoid(4)


QUIZ_LIST: list[Quiz] = [
    MC("expected-vs-empirical", 4, NB02,
       "approximating the expected loss with the empirical loss",
       f"The reward-model loss is an expectation, {_LOSS}. In practice it is computed as "
       "the average over the |D<sub>r</sub>| collected pairs, −(1/|D<sub>r</sub>|) Σ log "
       "Pr<sub>φ</sub>(y<sub>a</sub> ≻ y<sub>b</sub> | x) (Eq. 4.37). What assumption makes "
       "this average the right stand-in for the expectation?",
       "A sample average estimates an expectation when the samples are independent draws "
       "from the distribution the expectation is taken over. Eq. 4.37 gives every collected "
       "pair the same weight 1/|D_r| (the book's \"sampled uniformly\"); equal weights are "
       "right exactly when each pair was such a draw. If some prompts are over-represented "
       "in D_r, the average optimises for them instead.",
       ("The pairs are independent draws from the distribution E[·] is over, so each "
        "deserves the same weight.",
        "An average estimates an expectation when the pairs are i.i.d. draws from that "
        "distribution; then giving each the same weight 1/|D_r| is right."),
       ("Each pair is labelled by several annotators, so that label noise averages out "
        "within each term of the sum.",
        "Label noise is part of the distribution E[·] is over: one label per pair is fine, "
        "as long as the pairs themselves are representative draws."),
       ("Pairs the model gets wrong carry a larger loss, so the average leans towards the "
        "terms that matter most for E[·].",
        "Eq. 4.37 weighs every pair by the same 1/|D_r|; a large term counts more in both "
        "E[·] and the average, which is why the equal weights must be right."),
       ("Each prompt contributes exactly one pair, so the average over pairs is also the "
        "average over prompts.",
        "Prompts may bring many pairs. What matters is that the pairs, as collected, are "
        "draws from the distribution the expectation is over."),
       answer="a"),
    Numeric.of(
        "confidence-and-loss", 5, NB02, "the impact of prediction confidence on the loss",
        "For one preference pair the model gives Δ = r(x, y<sub>a</sub>) − r(x, y<sub>b</sub>) "
        "= −4: it confidently prefers the <i>rejected</i> response. What is the pair-wise "
        "loss −log Sigmoid(Δ)? Give 2 decimals. (For comparison: Δ = 0 gives ln 2 ≈ "
        f"{LN2:.3f}, Δ = +4 gives {_RIGHT4:.3f}.)",
        f"−log Sigmoid(−4) = log(1 + e⁴) ≈ {_WRONG4:.4f}. Confident and wrong costs about |Δ| (the "
        "loss grows linearly), uncertain costs ln 2, confident and right costs about "
        f"e^(−Δ) ≈ {_RIGHT4:.3f}: confident mistakes are punished hardest.",
        _WRONG4, 0.006,
        (_RIGHT4, 0.006, f"{_RIGHT4:.3f} is the loss for Δ = +4, confident and right. With "
                         "Δ = −4 the model backs the rejected response, so the loss is large."),
        (-_WRONG4, 0.05, "A loss −log p with p ≤ 1 is never negative. Check the sign: "
                         "−log Sigmoid(−4) = log(1 + e⁴)."),
        (LN2, 0.01, "ln 2 is the loss of an undecided model (Δ = 0). At Δ = −4 the model is "
                    "confident, and wrong."),
        (4.0, 0.006, "Close: −Δ = 4 is the linear asymptote. The exact loss adds "
                     "log(1 + e^(−4)) ≈ 0.018."),
        (_SIG4, 0.006, f"{_SIG4:.3f} is Sigmoid(4) = 1 − Sigmoid(−4), the size of the gradient; "
                       f"the loss "
                       "is −log Sigmoid(−4)."),
        fallback="Compute −log Sigmoid(−4) = −log(1/(1 + e⁴)) = log(1 + e⁴)."),
    MC("inconsistent-scenario", 6, NB01,
       "a logical inconsistency between scores and preference probability",
       "A system scores responses with r(input, response) and computes "
       "Probability(Y<sub>a</sub> preferred over Y<sub>b</sub>) = Sigmoid(r(input, "
       "Y<sub>a</sub>) − r(input, Y<sub>b</sub>)), with Sigmoid(z) = 1 / (1 + "
       "e<sup>−z</sup>). Which scenario, for a single input, is logically "
       "<i>inconsistent</i>?",
       "Sigmoid(z) > 0.5 exactly when z > 0. With r(Y_a) = 1.5 < r(Y_b) = 2.5 the gap is −1, "
       "so the probability must be Sigmoid(−1) ≈ 0.27, below 0.5. A probability of 0.62 "
       "would need r(Y_a) above r(Y_b).",
       ("r(Y_a) = 0.5, r(Y_b) = −0.5, Probability = 0.73",
        "Consistent: Sigmoid(0.5 − (−0.5)) = Sigmoid(1) ≈ 0.731."),
       ("r(Y_a) = 7.0, r(Y_b) = 7.0, Probability = 0.50",
        "Consistent: equal rewards give Sigmoid(0) = 0.5, however large they are."),
       ("r(Y_a) = −2.5, r(Y_b) = −4.5, Probability = 0.88",
        "Consistent: negative rewards are fine; only the gap matters, and "
        "Sigmoid(−2.5 − (−4.5)) = Sigmoid(2) ≈ 0.881."),
       ("r(Y_a) = 1.5, r(Y_b) = 2.5, Probability = 0.62",
        "Y_a has the lower reward, so Sigmoid(1.5 − 2.5) = Sigmoid(−1) ≈ 0.27 < 0.5."),
       answer="d"),
    MC("preference-invariance", 7, NB01, "a new version of the reward model",
       "With r(x, y<sub>a</sub>) = 2 and r(x, y<sub>b</sub>) = 1 the model gives "
       "Pr(y<sub>a</sub> ≻ y<sub>b</sub> | x) = Sigmoid(1) ≈ 0.731. A new version of the reward "
       "model adds 10 to every reward: 12 and 11. What is Pr(y<sub>a</sub> ≻ y<sub>b</sub> "
       "| x) now?",
       "Only the gap enters: Sigmoid((r_a + c) − (r_b + c)) = Sigmoid(r_a − r_b). In the "
       "exponential form "
       "the factor e^c cancels: e^(r_a + c) / (e^(r_a + c) + e^(r_b + c)) = e^r_a / (e^r_a + "
       "e^r_b). Rewards are defined only up to a constant; scaling them, by contrast, does "
       "change the probability.",
       ("≈ 1.000: rewards of 12 and 11 are both large, so y_a now wins with near certainty.",
        "The level of the rewards carries no information; only r_a − r_b = 1 enters the "
        "sigmoid, and it did not change."),
       ("≈ 0.500: at rewards this large the sigmoid saturates and can no longer tell them "
        "apart.",
        "The sigmoid is applied to the difference, which is still 1, not to the rewards "
        "themselves."),
       ("≈ 0.731: only the difference r_a − r_b enters the probability, and it is still 1.",
        "Sigmoid(12 − 11) = Sigmoid(1): adding the same constant to both rewards cancels in the "
        "difference."),
       ("≈ 0.999: the shift multiplies e^r_a by e^10, so y_a's share of e^r_a + e^r_b grows.",
        "e^10 multiplies both e^r_a and e^r_b, so it cancels between the top and the bottom "
        "of e^r_a / (e^r_a + e^r_b)."),
       answer="c"),
    MC("two-pair-loss", 9, NB02, "the loss expression for the two-pair data set",
       "A data set D<sub>r</sub> holds exactly two preference pairs: for input x<sub>1</sub>, "
       "response y<sub>A</sub> is preferred over y<sub>B</sub>; for input x<sub>2</sub>, "
       "y<sub>C</sub> is preferred over y<sub>D</sub>. Using the empirical loss "
       "L<sub>r</sub>(φ) = −(1/|D<sub>r</sub>|) Σ log Sigmoid(r(x, y<sub>a</sub>) − "
       "r(x, y<sub>b</sub>)), which expression is the loss for this data set?",
       "|D_r| = 2, and each pair compares the preferred and the rejected response to the same "
       "input: L_r(φ) = −½ [log Sigmoid(r(x1, y_A) − r(x1, y_B)) + log Sigmoid(r(x2, y_C) − "
       "r(x2, y_D))].",
       ("−[log Sigmoid(r(x1, y_A) − r(x1, y_B)) + log Sigmoid(r(x2, y_C) − r(x2, y_D))]",
        "That is the sum, |D_r| times the loss. Eq. 4.37 divides by |D_r| = 2; the sum has "
        "the same minimiser but grows with the size of the data set."),
       ("−[log Sigmoid(r(x1, y_A) − r(x2, y_C)) + log Sigmoid(r(x1, y_B) − r(x2, y_D))]",
        "This compares responses to different inputs (and drops the ½). A preference pair "
        "compares two responses to the same input x."),
       ("−[log Sigmoid(r(x1, y_A) + r(x2, y_C)) + log Sigmoid(r(x1, y_B) + r(x2, y_D))]",
        "This adds rewards of responses to different inputs (and drops the ½): minimising "
        "it raises every reward and says nothing about which response to x1 is better."),
       ("−½ [log Sigmoid(r(x1, y_A) − r(x1, y_B)) + log Sigmoid(r(x2, y_C) − r(x2, y_D))]",
        "Average over |D_r| = 2 pairs, each preferred minus rejected, same input."),
       ("−½ [log Sigmoid(r(x1, y_A) + r(x1, y_B)) + log Sigmoid(r(x2, y_C) + r(x2, y_D))]",
        "This adds the two rewards of a pair: minimising it raises both, the rejected one "
        "too, and never asks which response is better."),
       answer="d"),
]
