"""The seed questions of notebooks 05 and 06 (training, diagnosing and comparing).

    seed  id                        notebook                      answer
    1     pairwise-loss-effect      05_training_a_reward_model    c
    2     training-diagnosis        06_diagnosing_and_comparing   d
    3     phi-composition           05_training_a_reward_model    b
    8     data-distribution         06_diagnosing_and_comparing   a
    10    compare-reward-models     06_diagnosing_and_comparing   b

Every wrong option is a real misconception and says why it is wrong; options are about as
long as the answer, and the answers are spread over the letters (``tests/test_quiz.py``
checks both over the whole bank). Every number quoted is computed here, so the bank cannot
drift from the math. Notation as in the book: D_r, L_r(φ), Pr_φ.
"""

from __future__ import annotations

import math

from ..kit import MultipleChoice, Quiz

__all__ = ["QUIZ_LIST"]

NB05 = "05_training_a_reward_model"
NB06 = "06_diagnosing_and_comparing"

MC = MultipleChoice.of

_PR = ("Pr<sub>φ</sub>(y<sub>a</sub> ≻ y<sub>b</sub> | x) = σ(r<sub>φ</sub>(x, y<sub>a</sub>) − "
       "r<sub>φ</sub>(x, y<sub>b</sub>))")

_LOSS = ("L<sub>r</sub>(φ) = −E<sub>(x, y<sub>a</sub>, y<sub>b</sub>) ∼ D<sub>r</sub></sub>"
         "[log Pr<sub>φ</sub>(y<sub>a</sub> ≻ y<sub>b</sub> | x)]")

def _nll(*probs: float) -> float:
    """The empirical loss −(1/|D|) Σ log p of the probabilities given to the human choices."""
    return -sum(math.log(p) for p in probs) / len(probs)

_RM1 = (0.9, 0.6)                               # seed 10: RM-1 on its own D_1 (2 pairs)

_RM2 = (0.8, 0.8, 0.8, 0.7)                     # RM-2 on its own D_2 (4 pairs)

_L1, _L2 = _nll(*_RM1), _nll(*_RM2)

_S1, _S2 = _L1 * len(_RM1), _L2 * len(_RM2)     # the sums, without 1/|D|


QUIZ_LIST: list[Quiz] = [
    MC("pairwise-loss-effect", 1, NB05, "the effect of minimising the pair-wise loss",
       f"A reward model is trained by minimising {_LOSS}, with {_PR}; in each triple of "
       "D<sub>r</sub> people preferred y<sub>a</sub> to y<sub>b</sub>. What is the primary "
       "effect of successfully minimising this loss on the model's behaviour?",
       "Each term is −log Pr_φ(y_a ≻ y_b | x) = −log Sigmoid(r_a − r_b). It falls as the gap "
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
        "Rewards are not probabilities. Only the difference r_a − r_b enters Sigmoid(·), so adding "
        "a constant to both changes nothing, and the loss keeps falling as the gap grows "
        "past 1."),
       ("It scores preferred responses above rejected ones to the same input, so its pair "
        "probabilities match people's choices.",
        "Each term −log Sigmoid(r_a − r_b) falls as the gap r_φ(x, y_a) − r_φ(x, y_b) grows, so "
        "the "
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
       ("The rewards collapsed to one constant early on, so each gap is 0; new initial "
        "weights would let the loss fall.",
        "A collapse would show on the other data set too, which trains well with the same "
        "code. Here Δ = 0 is no accident of the start: it is the best any model can do on "
        "pairs labelled both ways."),
       ("The model is too small to store so many pairs: a bigger backbone would memorise "
        "them and drive the loss down.",
        "No model of any size can prefer y_a to y_b and y_b to y_a for the same input: the "
        "two terms ℓ(Δ) + ℓ(−Δ) are at least 2 ln 2 whatever the capacity."),
       ("The two labels of a pair cancel just at first; once one direction takes the lead, "
        "the loss falls below 0.693.",
        "With both directions about equally often in D_r neither takes the lead: any gap "
        "that lowers one copy's loss raises its mirror's more, so Δ = 0 stays the minimum."),
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
       ("The head W_r and the decoder's last layer; the earlier layers keep their "
        "pre-trained weights.",
        "The whole backbone is part of the reward model and is fine-tuned with it. Freezing "
        "some layers is a cheaper variant, not what φ denotes."),
       ("The decoder's parameters (starting from the pre-trained LLM) and the linear head "
        "W_r, trained together.",
        "φ is everything trainable in r_φ: the backbone and the head."),
       ("The parameters of the policy LLM that the reward model is later used to align "
        "with reinforcement learning.",
        "The policy is a separate model (usually written θ). The reward model is trained "
        "first and then scores the policy's outputs."),
       ("The decoder and W_r, plus the value head that PPO later trains to predict "
        "returns.",
        "The value head belongs to the RL stage that comes after, not to r_φ; φ is the "
        "decoder and W_r."),
       answer="b"),
    MC("data-distribution", 8, NB06, "the impact of data distribution on training",
       "Your preference data set D<sub>r</sub> has 9,000 pairs for coding prompts and 1,000 "
       "for medical questions. Training minimises the empirical average loss (Eq. 4.37). "
       "What effect does this distribution have on the reward model?",
       "Eq. 4.37 weighs every pair equally, so coding pairs make up 90% of the objective. The "
       "model fits the coding preferences best and may judge medical answers poorly: the "
       "average approximates the expectation under the data's distribution of prompts, not "
       "the one you deploy on. Re-weighting, re-sampling or collecting more medical pairs "
       "changes what is optimised.",
       ("Coding makes up 90% of the average, so the fit follows the coding preferences and "
        "medical answers get a tenth of it.",
        "Eq. 4.37 weighs every pair equally, so 90% of the objective is about coding; what "
        "the average optimises follows the data's mix."),
       ("The two domains get equal weight in what is learned, since the loss is averaged "
        "over the pairs.",
        "The average is over pairs, not domains: each coding pair and each medical pair "
        "weighs 1/|D_r|, so coding carries 90% of the loss."),
       ("Medical pairs get the larger share: rare pairs are fitted worse, and their larger "
        "loss pulls harder.",
        "A badly fitted pair does have a larger gradient, but that only slows the drift; the "
        "optimum still trades 9,000 coding terms against 1,000 medical ones."),
       ("The total decides: with 10,000 pairs in the set, each domain is learned as well as "
        "it would be alone.",
        "The mix decides which preferences the average is about; 10,000 coding-heavy pairs "
        "teach something else than 10,000 balanced ones."),
       answer="a"),
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
       ("Neither, yet: averages over 2 and over 4 pairs sit on different scales; compare "
        "them once both sets hold equally many pairs.",
        "Dividing by |D| already puts both on one per-pair scale, whatever the set sizes. "
        "What differs is which pairs were scored (harder pairs cost any model more); equal "
        "sizes would not fix that, the same pairs would."),
       answer="b"),
]
