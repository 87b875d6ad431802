"""The fifteen seed questions of the suite, as quizzes (see :mod:`rmteach.quizkit`).

    seed  id                        notebook                      answer
    1     pairwise-loss-effect      05_training_a_reward_model    c
    2     training-diagnosis        06_diagnosing_and_comparing   d
    3     phi-composition           05_training_a_reward_model    b
    4     expected-vs-empirical     02_pairwise_loss              a
    5     confidence-and-loss       02_pairwise_loss              (a number)
    6     inconsistent-scenario     01_preference_probability     d
    7     preference-invariance     01_preference_probability     c
    8     data-distribution         06_diagnosing_and_comparing   a
    9     two-pair-loss             02_pairwise_loss              d
    10    compare-reward-models     06_diagnosing_and_comparing   b
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

from ..losses import listwise_loss, pairwise_loss, plackett_luce_loss, preference_probability
from ..quizkit import MultipleChoice, Numeric, Quiz, TrueFalse

__all__ = ["QUIZ_LIST"]

NB01 = "01_preference_probability"
NB02 = "02_pairwise_loss"
NB03 = "03_listwise_loss"
NB05 = "05_training_a_reward_model"
NB06 = "06_diagnosing_and_comparing"

MC = MultipleChoice.of
LN2 = math.log(2.0)
_PR = ("Pr<sub>φ</sub>(y<sub>a</sub> ≻ y<sub>b</sub> | x) = σ(r<sub>φ</sub>(x, y<sub>a</sub>) − "
       "r<sub>φ</sub>(x, y<sub>b</sub>))")
_LOSS = ("L<sub>r</sub>(φ) = −E<sub>(x, y<sub>a</sub>, y<sub>b</sub>) ∼ D<sub>r</sub></sub>"
         "[log Pr<sub>φ</sub>(y<sub>a</sub> ≻ y<sub>b</sub> | x)]")


def _f(x) -> float:
    return float(x)


def _nll(*probs: float) -> float:
    """The empirical loss −(1/|D|) Σ log p of the probabilities given to the human choices."""
    return -sum(math.log(p) for p in probs) / len(probs)


# --- numbers used below (all computed) ------------------------------------------------
_WRONG4 = _f(pairwise_loss(-4.0, 0.0))          # confident and wrong, Δ = −4
_RIGHT4 = _f(pairwise_loss(4.0, 0.0))           # confident and right, Δ = +4
_SIG4 = _f(preference_probability(4.0, 0.0))    # σ(4)

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

_RM1 = (0.9, 0.6)                               # seed 10: RM-1 on its own D_1 (2 pairs)
_RM2 = (0.8, 0.8, 0.8, 0.7)                     # RM-2 on its own D_2 (4 pairs)
_L1, _L2 = _nll(*_RM1), _nll(*_RM2)
_S1, _S2 = _L1 * len(_RM1), _L2 * len(_RM2)     # the sums, without 1/|D|


QUIZ_LIST: list[Quiz] = [
    MC("pairwise-loss-effect", 1, NB05, "the effect of minimising the pair-wise loss",
       f"A reward model is trained by minimising {_LOSS}, with {_PR}; in each triple of "
       "D<sub>r</sub> people preferred y<sub>a</sub> to y<sub>b</sub>. What is the primary "
       "effect of successfully minimising this loss on the model's behaviour?",
       "Each term is −log Pr_φ(y_a ≻ y_b | x) = −log σ(r_a − r_b). It falls as the gap "
       "r_φ(x, y_a) − r_φ(x, y_b) grows, so the model learns to score the responses people "
       "prefer above the ones they reject, for the same input: its Bradley–Terry "
       "probabilities come to match the human choices.",
       ("It learns to write responses like the preferred ones, because the loss rewards "
        "producing y_a rather than y_b.",
        "A reward model does not generate text: it scores a (prompt, response) pair with one "
        "number. Writing better responses is the policy's job, trained afterwards (e.g. with "
        "RL) against this reward."),
       ("It pushes each preferred reward towards 1 and each rejected reward towards 0, like "
        "a classifier's targets.",
        "Rewards are not probabilities. Only the difference r_a − r_b enters σ(·), so adding "
        "a constant to both changes nothing, and the loss keeps falling as the gap grows "
        "past 1."),
       ("It scores preferred responses above rejected ones to the same input, so Pr_φ "
        "matches people's choices.",
        "Each term −log σ(r_a − r_b) falls as the gap r_φ(x, y_a) − r_φ(x, y_b) grows, so the "
        "model ranks preferred responses above rejected ones."),
       ("It makes each reward equal the quality score the annotators had in mind, so rewards "
        "compare across prompts.",
        "The data hold comparisons, not scores. Bradley–Terry sees only reward differences "
        "within one prompt, so a constant per prompt is never fixed: there is no absolute "
        "score to match."),
       answer="c"),
    MC("training-diagnosis", 2, NB06, "reward-model training diagnosis",
       "Your reward model's training loss starts at 0.693 and stays there, epoch after "
       "epoch; training accuracy stays near 50%. The same code and learning rate train well "
       "on another data set. Looking at this data set D<sub>r</sub>, you find that nearly "
       "every triple also appears with the opposite label: annotators disagreed, so both "
       "(x, y<sub>a</sub> ≻ y<sub>b</sub>) and (x, y<sub>b</sub> ≻ y<sub>a</sub>) are in "
       "D<sub>r</sub>. Why does the loss stay high and flat?",
       "A pair labelled both ways contributes ℓ(Δ) + ℓ(−Δ) = log(1 + e^(−Δ)) + log(1 + e^Δ), "
       "with Δ = r_φ(x, y_a) − r_φ(x, y_b). That sum is smallest, 2 ln 2, at Δ = 0: any gap "
       "that helps one copy hurts its mirror more. So the best any model can do on such data "
       "is to be undecided, Pr_φ = 0.5, and the loss per pair is ln 2 = 0.693 from the start "
       "(an untrained model is already nearly undecided) to the end. The data, not the "
       "optimiser or the model, set this floor; it is the same collapse as the literal "
       "reading of Eq. 4.57 in notebook 3.",
       ("The learning rate is too small for this data set: with a larger step the loss "
        "would fall below 0.693 here too.",
        "The same code and learning rate work on clean data. With contradicting labels no "
        "step size helps: every gap that lowers one copy's loss raises its mirror's more."),
       ("The model is too small to store so many pairs: a bigger backbone would memorise "
        "them and drive the loss down.",
        "No model of any size can prefer y_a to y_b and y_b to y_a for the same input: the "
        "two terms ℓ(Δ) + ℓ(−Δ) are at least 2 ln 2 whatever the capacity."),
       ("The model is overfitting the noisy pairs: it has memorised them, which is why the "
        "loss cannot fall any further.",
        "Overfitting drives the training loss down, below the held-out loss. Here the "
        "training loss itself never moves from ln 2."),
       ("For a pair labelled both ways the terms ℓ(Δ) + ℓ(−Δ) are smallest at Δ = 0, so "
        "the best model is undecided.",
        "ℓ(Δ) + ℓ(−Δ) ≥ 2 ln 2 with equality at Δ = 0: Pr_φ = 0.5 is optimal, and each pair "
        "costs ln 2 = 0.693 from the first epoch to the last."),
       answer="d"),
    MC("phi-composition", 3, NB05, "the composition of φ",
       "A reward model r<sub>φ</sub>(x, y) runs a Transformer decoder, initialised from a "
       "pre-trained LLM, over the sequence [x, y], and maps the hidden state of the last "
       "token, h<sub>last</sub>, through a linear layer W<sub>r</sub> to one scalar. The "
       "loss L<sub>r</sub>(φ) is minimised over φ. What does φ consist of?",
       "φ is every trainable parameter of the reward model: the Transformer decoder (the LLM "
       "backbone, starting from its pre-trained weights) and the linear head W_r that turns "
       "h_last into the reward. Both are trained together on the preference loss.",
       ("Only the linear head W_r: the pre-trained decoder is a fixed feature extractor and "
        "is not part of φ.",
        "The backbone is part of the reward model and is fine-tuned with it. Freezing it is "
        "a cheaper variant, not what φ denotes."),
       ("The decoder's parameters (starting from the pre-trained LLM) and the linear head "
        "W_r, trained together.",
        "φ is everything trainable in r_φ: the backbone and the head."),
       ("The parameters of the policy LLM that the reward model is later used to align "
        "with reinforcement learning.",
        "The policy is a separate model (usually written θ). The reward model is trained "
        "first and then scores the policy's outputs."),
       ("Only the decoder's parameters: W_r is a fixed projection that reads the reward off "
        "h_last.",
        "W_r is learned: it decides which directions of h_last count as good. It is trained "
        "with the backbone."),
       answer="b"),
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
        "deserves weight 1/|D_r|.",
        "An average estimates an expectation when the pairs are i.i.d. draws from that "
        "distribution; then giving each the same weight 1/|D_r| is right."),
       ("The rewards are normalised to lie in [0, 1], so the average of the terms stays on "
        "the scale of E[·].",
        "Rewards are unbounded real numbers and only their differences matter; their range "
        "has nothing to do with replacing E[·] by an average."),
       ("The reward model is already near its optimum, so the terms vary too little to bias "
        "the average.",
        "The approximation is about the data, not the model: it holds (or fails) for any "
        "parameters φ."),
       ("Each prompt contributes exactly one pair, so the average over pairs is also the "
        "average over prompts.",
        "Prompts may bring many pairs. What matters is that the pairs, as collected, are "
        "draws from the distribution the expectation is over."),
       answer="a"),
    Numeric.of(
        "confidence-and-loss", 5, NB02, "the impact of prediction confidence on the loss",
        "For one preference pair the model gives Δ = r(x, y<sub>a</sub>) − r(x, y<sub>b</sub>) "
        "= −4: it confidently prefers the <i>rejected</i> response. What is the pair-wise "
        "loss −log σ(Δ)? Give 2 decimals. (For comparison: Δ = 0 gives ln 2 ≈ "
        f"{LN2:.3f}, Δ = +4 gives {_RIGHT4:.3f}.)",
        f"−log σ(−4) = log(1 + e⁴) ≈ {_WRONG4:.4f}. Confident and wrong costs about |Δ| (the "
        "loss grows linearly), uncertain costs ln 2, confident and right costs about "
        f"e^(−Δ) ≈ {_RIGHT4:.3f}: confident mistakes are punished hardest.",
        _WRONG4, 0.006,
        (_RIGHT4, 0.006, f"{_RIGHT4:.3f} is the loss for Δ = +4, confident and right. With "
                         "Δ = −4 the model backs the rejected response, so the loss is large."),
        (-_WRONG4, 0.05, "A loss −log p with p ≤ 1 is never negative. Check the sign: "
                         "−log σ(−4) = log(1 + e⁴)."),
        (LN2, 0.01, "ln 2 is the loss of an undecided model (Δ = 0). At Δ = −4 the model is "
                    "confident, and wrong."),
        (4.0, 0.006, "Close: −Δ = 4 is the linear asymptote. The exact loss adds "
                     "log(1 + e^(−4)) ≈ 0.018."),
        (_SIG4, 0.006, f"{_SIG4:.3f} is σ(4) = 1 − σ(−4), the size of the gradient; the loss "
                       "is −log σ(−4)."),
        fallback="Compute −log σ(−4) = −log(1/(1 + e⁴)) = log(1 + e⁴)."),
    MC("inconsistent-scenario", 6, NB01,
       "a logical inconsistency between scores and preference probability",
       "A system scores responses with r(input, response) and computes "
       "Probability(Y<sub>a</sub> preferred over Y<sub>b</sub>) = Sigmoid(r(input, "
       "Y<sub>a</sub>) − r(input, Y<sub>b</sub>)), with Sigmoid(z) = 1 / (1 + "
       "e<sup>−z</sup>). Which scenario, for a single input, is logically "
       "<i>inconsistent</i>?",
       "Sigmoid(z) > 0.5 exactly when z > 0. With r(Y_a) = 3.0 < r(Y_b) = 4.0 the gap is −1, "
       "so the probability must be Sigmoid(−1) ≈ 0.27, below 0.5. A probability of 0.73 "
       "would need r(Y_a) above r(Y_b).",
       ("r(Y_a) = 2.0, r(Y_b) = 1.0, Probability = 0.73",
        "Consistent: Sigmoid(2.0 − 1.0) = Sigmoid(1) ≈ 0.731."),
       ("r(Y_a) = 5.0, r(Y_b) = 5.0, Probability = 0.50",
        "Consistent: equal rewards give Sigmoid(0) = 0.5, however large they are."),
       ("r(Y_a) = −1.0, r(Y_b) = −3.0, Probability = 0.88",
        "Consistent: negative rewards are fine; only the gap matters, and "
        "Sigmoid(−1 − (−3)) = Sigmoid(2) ≈ 0.881."),
       ("r(Y_a) = 3.0, r(Y_b) = 4.0, Probability = 0.73",
        "Y_a has the lower reward, so Sigmoid(3 − 4) = Sigmoid(−1) ≈ 0.27 < 0.5."),
       answer="d"),
    MC("preference-invariance", 7, NB01, "the invariance of the preference probability",
       "With r(x, y<sub>a</sub>) = 2 and r(x, y<sub>b</sub>) = 1 the model gives "
       "Pr(y<sub>a</sub> ≻ y<sub>b</sub> | x) = σ(1) ≈ 0.731. A new version of the reward "
       "model adds 10 to every reward: 12 and 11. What is Pr(y<sub>a</sub> ≻ y<sub>b</sub> "
       "| x) now?",
       "Only the gap enters: σ((r_a + c) − (r_b + c)) = σ(r_a − r_b). In the exponential form "
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
       ("≈ 0.731, unchanged: a constant added to both rewards cancels in their difference.",
        "σ(12 − 11) = σ(1): adding the same constant to both rewards cancels in the "
        "difference."),
       ("≈ 0.999: the shift multiplies e^r_a by e^10, so y_a's share of e^r_a + e^r_b grows.",
        "e^10 multiplies both e^r_a and e^r_b, so it cancels between the top and the bottom "
        "of e^r_a / (e^r_a + e^r_b)."),
       answer="c"),
    MC("data-distribution", 8, NB06, "the impact of data distribution on training",
       "Your preference data set D<sub>r</sub> has 9,000 pairs for coding prompts and 1,000 "
       "for medical questions. Training minimises the empirical average loss (Eq. 4.37). "
       "What effect does this distribution have on the reward model?",
       "Eq. 4.37 weighs every pair equally, so coding pairs make up 90% of the objective. The "
       "model fits the coding preferences best and may judge medical answers poorly: the "
       "average approximates the expectation under the data's distribution of prompts, not "
       "the one you deploy on. Re-weighting, re-sampling or collecting more medical pairs "
       "changes what is optimised.",
       ("Coding makes up 90% of the average, so the model fits coding best and may be weak "
        "on medical prompts.",
        "Eq. 4.37 weighs every pair equally, so 90% of the objective is about coding; what "
        "the average optimises follows the data's mix."),
       ("None: averaging the loss over all pairs gives the two domains equal weight in what "
        "the model learns.",
        "The average is over pairs, not domains: each coding pair and each medical pair "
        "weighs 1/|D_r|, so coding carries 90% of the loss."),
       ("Medical pairs count more: rare pairs are fitted worse, so their larger loss gives "
        "them the larger share.",
        "A badly fitted pair does have a larger gradient, but that only slows the drift; the "
        "optimum still trades 9,000 coding terms against 1,000 medical ones."),
       ("Only the total matters: with 10,000 pairs in all, each domain is learned as well as "
        "it would be alone.",
        "The mix decides which preferences the average is about; 10,000 coding-heavy pairs "
        "teach something else than 10,000 balanced ones."),
       answer="a"),
    MC("two-pair-loss", 9, NB02, "the loss expression for the two-pair data set",
       "A data set D<sub>r</sub> holds exactly two preference pairs: for input x<sub>1</sub>, "
       "response y<sub>A</sub> is preferred over y<sub>B</sub>; for input x<sub>2</sub>, "
       "y<sub>C</sub> is preferred over y<sub>D</sub>. Using the empirical loss "
       "L<sub>r</sub>(φ) = −(1/|D<sub>r</sub>|) Σ log σ(r(x, y<sub>a</sub>) − "
       "r(x, y<sub>b</sub>)), which expression is the loss for this data set?",
       "|D_r| = 2, and each pair compares the preferred and the rejected response to the same "
       "input: L_r(φ) = −½ [log σ(r(x1, y_A) − r(x1, y_B)) + log σ(r(x2, y_C) − "
       "r(x2, y_D))].",
       ("−[log σ(r(x1, y_A) − r(x1, y_B)) + log σ(r(x2, y_C) − r(x2, y_D))]",
        "That is the sum, |D_r| times the loss. Eq. 4.37 divides by |D_r| = 2; the sum has "
        "the same minimiser but grows with the size of the data set."),
       ("−½ [log σ(r(x1, y_B) − r(x1, y_A)) + log σ(r(x2, y_D) − r(x2, y_C))]",
        "The differences are reversed (rejected minus preferred): minimising this would "
        "teach the model to prefer the rejected responses."),
       ("−½ [log σ(r(x1, y_A) − r(x2, y_C)) + log σ(r(x1, y_B) − r(x2, y_D))]",
        "This compares responses to different inputs. A preference pair compares two "
        "responses to the same input x."),
       ("−½ [log σ(r(x1, y_A) − r(x1, y_B)) + log σ(r(x2, y_C) − r(x2, y_D))]",
        "Average over |D_r| = 2 pairs, each preferred minus rejected, same input."),
       ("½ [log σ(r(x1, y_A) − r(x1, y_B)) + log σ(r(x2, y_C) − r(x2, y_D))]",
        "The minus sign is missing: minimising this would push the probability of the human "
        "choices towards 0."),
       answer="d"),
    MC("compare-reward-models", 10, NB06, "comparing reward-model performance",
       "Two reward models are each evaluated on their own held-out set. RM-1, on D<sub>1</sub> "
       f"({len(_RM1)} pairs), gives the human-preferred responses Pr = "
       f"{', '.join(f'{p:.1f}' for p in _RM1)}. RM-2, on a different set D<sub>2</sub> "
       f"({len(_RM2)} pairs), gives Pr = {', '.join(f'{p:.1f}' for p in _RM2)}. Using the "
       "empirical loss −(1/|D|) Σ log Pr(y<sub>a</sub> ≻ y<sub>b</sub> | x), which "
       "conclusion is best supported?",
       f"RM-1: −(log 0.9 + log 0.6)/2 = {_L1:.3f}. RM-2: −(3 log 0.8 + log 0.7)/4 = "
       f"{_L2:.3f}. The 1/|D| makes the two numbers per-pair averages, so their sizes can be "
       "compared, and RM-2's is lower. But each was measured on its own pairs, and the loss "
       "also depends on how hard the pairs are (small true quality gaps, noisy labels): D_1 "
       "may simply be harder. To say which model is better, evaluate both on the same "
       "held-out pairs.",
       (f"RM-1 is better: its summed loss over D_1, {_S1:.2f}, is lower than RM-2's summed "
        f"loss over its set D_2, {_S2:.2f}.",
        "The sum grows with the number of pairs; the empirical loss divides by |D|. Per pair, "
        f"RM-1 scores {_L1:.2f} and RM-2 {_L2:.2f}."),
       (f"RM-2 has the lower loss ({_L2:.2f} vs {_L1:.2f}), but measured on different sets "
        "it does not prove RM-2 better.",
        f"Right: {_L2:.3f} < {_L1:.3f} per pair, yet the two sets may differ in difficulty; "
        "compare both models on the same pairs."),
       (f"RM-2 is the better model: its empirical loss, {_L2:.2f}, is lower than RM-1's, "
        f"{_L1:.2f}, and lower is better.",
        "Lower is better only on the same pairs. D_1 and D_2 differ, and a set of harder "
        "pairs gives any model a higher loss."),
       ("They are equally good: each model gives every preferred response Pr > 0.5, so both "
        "are 100% accurate.",
        "Accuracy ignores confidence, and it too was measured on different pairs; the losses "
        "already differ per pair."),
       answer="b"),
    MC("decompose-ranking", 11, NB03, "decomposing C > A > D > B into pair-wise preferences",
       "An annotator ranks four responses to a prompt, best to worst: C &gt; A &gt; D &gt; "
       "B. A loss is computed by summing the losses of every pair-wise comparison implied by "
       "this ranking. Which set lists all the pair-wise preferences used?",
       "A ranking of N = 4 implies N(N−1)/2 = 6 preferences, one for every pair, each in the "
       "direction of the ranking: C ≻ A, C ≻ D, C ≻ B, A ≻ D, A ≻ B, D ≻ B.",
       ("{C≻A, A≻D, D≻B}",
        "These are only the 3 neighbouring pairs. The ranking also says C ≻ D, C ≻ B and "
        "A ≻ B: 4·3/2 = 6 pairs in all."),
       ("{C≻A, C≻D, C≻B, A≻D, A≻B, B≻D}",
        "Six pairs, but B ≻ D is backwards: B is ranked last, so D ≻ B."),
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
       ("Model Q: its listwise loss is the higher one, and a higher value means a higher "
        "likelihood of the ranking.",
        f"The loss is the negative log-likelihood: lower is better. Q's {_LQ:.4f} is worse "
        f"than P's {_LP:.4f}."),
       (f"Model P: its listwise loss, {_LP:.3f}, is lower, because Q puts the top pair "
        "C ≻ A the wrong way round.",
        f"P's loss is {_LP:.4f}, Q's {_LQ:.4f}: Q gets the top pair C ≻ A backwards."),
       ("They tie: both models use the same four scores, so the average over all pairs comes "
        "out the same.",
        f"Which item gets which score matters. Q gives A more than C, against the ranking: "
        f"{_LQ:.4f} versus {_LP:.4f}."),
       ("They tie in effect: Q reverses only one of the six pairs, and the 1/(N(N−1)) "
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
                  "−log σ(r_better − r_worse) for each, and average (each appears twice "
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
