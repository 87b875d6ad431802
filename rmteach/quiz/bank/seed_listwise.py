"""The seed questions of notebook 03 (ranked lists and the listwise loss).

    seed  id                        notebook                      answer
    11    decompose-ranking         03_listwise_loss              c
    12    listwise-evaluation       03_listwise_loss              b
    13    normalisation-term        03_listwise_loss              a
    14    listwise-concrete         03_listwise_loss              (a number)
    15    uncertain-list-loss       03_listwise_loss              False

Every wrong option is a real misconception and says why it is wrong; options are about as
long as the answer, and the answers are spread over the letters (``tests/test_quiz.py``
checks both over the whole bank). Every number quoted is computed here, so the bank cannot
drift from the math. Notation as in the book: D_r, L_r(φ), Pr_φ.
"""

from __future__ import annotations

import math

from ...math.losses import listwise_loss, pairwise_loss, plackett_luce_loss
from ..kit import MultipleChoice, Numeric, Quiz, TrueFalse

__all__ = ["QUIZ_LIST"]

NB03 = "03_listwise_loss"

MC = MultipleChoice.of

LN2 = math.log(2.0)

def _f(x) -> float:
    return float(x)

_P_SCORES = [2.0, 0.5, 0.1, -1.0]               # model P on C > A > D > B (best first)

_Q_SCORES = [0.5, 2.0, 0.1, -1.0]               # model Q: A and C swapped

_LP = _f(listwise_loss(_P_SCORES))

_LQ = _f(listwise_loss(_Q_SCORES))

_ABC = [2.0, 1.0, 0.0]                          # A > B > C with r = 2, 1, 0

_ABC_PAIRS = _f(pairwise_loss([2.0, 2.0, 1.0], [1.0, 0.0, 0.0], reduction="sum"))

_ABC_LIST = _f(listwise_loss(_ABC))

_ABC_LITERAL = _f(pairwise_loss([2.0, 2.0, 1.0, 1.0, 0.0, 0.0],
                                [1.0, 0.0, 2.0, 0.0, 2.0, 1.0]))   # both orders, every pair

_ABC_PL = _f(plackett_luce_loss(_ABC))


QUIZ_LIST: list[Quiz] = [
    MC("decompose-ranking", 11, NB03, "decomposing C > A > D > B into pair-wise preferences",
       "An annotator ranks four responses to a prompt, best to worst: C &gt; A &gt; D &gt; "
       "B. A loss is computed by summing the losses of every pair-wise comparison implied by "
       "this ranking. Which set lists all the pair-wise preferences used?",
       "A ranking of N = 4 implies N(N−1)/2 = 6 preferences, one for every pair, each in the "
       "direction of the ranking: C ≻ A, C ≻ D, C ≻ B, A ≻ D, A ≻ B, D ≻ B.",
       ("{C≻A, A≻D, D≻B}",
        "These are only the 3 neighbouring pairs. The ranking also says C ≻ D, C ≻ B and "
        "A ≻ B: 4·3/2 = 6 pairs in all."),
       ("{C≻A, A≻D, D≻B, C≻D, C≻B, B≻A}",
        "Six pairs, but B ≻ A is backwards: A is ranked above B, so A ≻ B."),
       ("{C≻A, C≻D, C≻B, A≻D, A≻B, D≻B}",
        "All 6 = 4·3/2 pairs, each in the ranking's direction."),
       ("all 12 ordered pairs: {C≻A, A≻C, C≻D, D≻C, C≻B, B≻C, A≻D, D≻A, A≻B, B≻A, D≻B, B≻D}",
        "This is the literal-reading trap: a ranking states one direction for each pair. "
        "Including both directions asks the model to believe contradictions, and the loss is "
        "then minimised by equal rewards."),
       answer="c"),
    MC("listwise-evaluation", 12, NB03,
       "evaluating preference-model performance with the listwise loss",
       "Annotators ranked C &gt; A &gt; D &gt; B. Model P scores (A, B, C, D) = (0.5, −1.0, "
       "2.0, 0.1); model Q scores (A, B, C, D) = (2.0, −1.0, 0.5, 0.1), i.e. it swaps A and "
       "C. Using the listwise loss of Eq. 4.57, which model agrees better with the "
       "annotators?",
       f"In ranked order P gives (2.0, 0.5, 0.1, −1.0): every pair in the right direction, "
       f"listwise loss {_LP:.4f}. Q gives (0.5, 2.0, 0.1, −1.0): the top pair C ≻ A is "
       f"backwards by 1.5, and the loss rises to {_LQ:.4f}. Lower listwise loss = higher "
       "average log-probability of the annotators' pair orders, so P agrees better.",
       (f"Model Q: its listwise loss, {_LQ:.3f}, is the higher one, and a higher value "
        "means a higher likelihood of the ranking.",
        f"The loss is the negative log-likelihood: lower is better. Q's {_LQ:.4f} is worse "
        f"than P's {_LP:.4f}."),
       (f"Model P: every pair is in the annotators' order, and its loss, {_LP:.3f}, is "
        "lower than Q's.",
        f"P's loss is {_LP:.4f}, Q's {_LQ:.4f}: Q gets the top pair C ≻ A backwards."),
       ("They tie: both use the same four scores (sum 1.6), so the average over the 12 "
        "ordered pairs is the same.",
        f"Which item gets which score matters. Q gives A more than C, against the ranking: "
        f"{_LQ:.4f} versus {_LP:.4f}."),
       ("They tie in effect: Q reverses just one of the 6 pairs, and the 1/(N(N−1)) "
        "averages it away.",
        f"Averaging divides the extra cost by the pair count but does not remove it: "
        f"{_LQ:.4f} versus {_LP:.4f}."),
       answer="b"),
    MC("normalisation-term", 13, NB03, "the analytical consequence of the 1/(N(N−1)) term",
       "In the listwise loss L = −E[ 1/(N(N−1)) Σ<sub>a≠b</sub> log Pr(y<sub>a</sub> ≻ "
       "y<sub>b</sub> | x) ], N is the number of items in the list Y. What is the primary "
       "analytical consequence of the normalisation term 1/(N(N−1))?",
       "A list of N items has N(N−1) ordered pairs, a number that grows like N². Dividing by "
       "it turns the sum into a per-pair average, so lists of different lengths contribute "
       "on a comparable scale (an undecided model scores ln 2 whatever N), and long lists "
       "do not dominate the expectation merely by having more pairs.",
       ("It makes the sum a per-pair average, so lists of different lengths contribute on a "
        "comparable scale.",
        "The pair count grows like N²; dividing by it makes the loss a per-pair average "
        "(ln 2 for an undecided model, whatever N)."),
       ("It keeps the loss between 0 and 1, so the listwise loss can be read as the "
        "probability of the ranking.",
        "The loss is an average of −log probabilities: it is ≥ 0 but unbounded above (a "
        "confident wrong pair costs about |Δ|)."),
       ("It changes which scores are optimal for a single list, favouring scores that get "
        "the top pairs right.",
        "A positive constant factor does not move the minimiser of one list's term; it "
        "changes how lists of different N are weighed against each other."),
       ("It makes the gradient larger for long lists, so that lists with many pairs do not "
        "learn too slowly.",
        "It does the opposite: it scales each pair's gradient down by 1/(N(N−1)). Its "
        "purpose is comparability, not gradient size."),
       answer="a"),
    Numeric.of(
        "listwise-concrete", 14, NB03, "applying the listwise summation to a concrete list",
        "A list is ranked A &gt; B &gt; C, and the model scores r(A) = 2, r(B) = 1, r(C) = 0. "
        "Compute the listwise loss of Eq. 4.57 for this list, −1/(N(N−1)) Σ<sub>a≠b</sub> "
        "log Pr(true order of a and b). Give 3 decimals.",
        f"The pairs A≻B, A≻C, B≻C have gaps 1, 2, 1 and losses "
        f"{_f(pairwise_loss(1.0, 0.0)):.4f}, {_f(pairwise_loss(2.0, 0.0)):.4f}, "
        f"{_f(pairwise_loss(1.0, 0.0)):.4f} (sum {_ABC_PAIRS:.4f}). The N(N−1) = 6 ordered "
        f"pairs count each twice: {2 * _ABC_PAIRS:.4f}, and dividing by 6 gives "
        f"{_ABC_LIST:.4f} (the mean over the 3 pairs).",
        _ABC_LIST, 0.0015,
        (_ABC_PAIRS, 0.0015, "That is the sum over the 3 pairs without the 1/(N(N−1)) "
                             "average."),
        (2 * _ABC_PAIRS, 0.0015, "That is the sum over all 6 ordered pairs; Eq. 4.57 divides "
                                 "it by N(N−1) = 6."),
        (_ABC_PAIRS / 6, 0.0015, "You divided the 3-pair sum by 6. The 6 ordered pairs count "
                                 "each pair twice, so it is the 6-term sum over 6, the mean "
                                 "over the 3 pairs."),
        (_ABC_LITERAL, 0.0015, "That is the literal reading: log Pr(a ≻ b) for both orders "
                               "of every pair, whatever the ranking. Each term must use the "
                               "probability of the pair's true order."),
        (_ABC_PL, 0.0015, "That is the Plackett–Luce loss −log Pr(A ≻ B ≻ C), a different "
                          "listwise loss (Eqs. 4.58–4.61)."),
        fallback=("List the 3 pairs in their true order (A≻B, A≻C, B≻C), compute "
                  "−log Sigmoid(r_better − r_worse) for each, and average (each appears twice "
                  "among the 6 ordered pairs).")),
    TrueFalse.make(
        id="uncertain-list-loss", seed=15, notebook=NB03,
        topic="an uncertain model's list and the listwise loss",
        question=("True or false: if a model is completely uncertain about the preferences "
                  "within a ranked list, i.e. Pr(y<sub>a</sub> ≻ y<sub>b</sub> | x) = 0.5 "
                  "for all distinct pairs, the contribution of that list to the listwise "
                  "loss (Eq. 4.57) is zero."),
        explanation=(f"False. Every term is log 0.5 = −ln 2 ≈ −{LN2:.4f}, not 0. The "
                     f"average of the N(N−1) terms is −ln 2, so with the minus sign the list "
                     f"contributes ln 2 ≈ {LN2:.4f}, for every N. Zero would need "
                     "Pr(true order) = 1 for every pair."),
        truth=False,
        if_true=(f"Each term is log 0.5 = −ln 2 ≈ −{LN2:.3f}, not 0; the list contributes "
                 f"ln 2 ≈ {LN2:.3f}. Only Pr = 1 for every true-order pair gives zero."),
        if_false=(f"An undecided model earns −log 0.5 = ln 2 ≈ {LN2:.3f} per pair, so the "
                  "list contributes ln 2, whatever N.")),
]
