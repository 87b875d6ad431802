"""The fifteen seed questions of the suite, as quizzes (see :mod:`rmteach.quiz`).

``QUIZZES`` maps each id to its quiz; ``BY_NOTEBOOK`` lists the ids each notebook asks.
Every number quoted in a question or a feedback is computed here with the library
functions, so the bank cannot drift from the math.

    seed  id                        notebook
    1     pairwise-loss-effect      05_training_a_reward_model
    2     training-diagnosis        06_diagnosing_and_comparing
    3     phi-composition           05_training_a_reward_model
    4     expected-vs-empirical     02_pairwise_loss
    5     confidence-and-loss       02_pairwise_loss
    6     inconsistent-scenario     01_preference_probability
    7     preference-invariance     01_preference_probability
    8     data-distribution         06_diagnosing_and_comparing
    9     two-pair-loss             02_pairwise_loss
    10    compare-reward-models     06_diagnosing_and_comparing
    11    decompose-ranking         03_listwise_loss
    12    listwise-evaluation       03_listwise_loss
    13    normalisation-term        03_listwise_loss
    14    listwise-concrete         03_listwise_loss
    15    uncertain-list-loss       03_listwise_loss
"""

from __future__ import annotations

import math

from ..losses import (
    listwise_loss,
    pairwise_loss,
    plackett_luce_loss,
    preference_probability,
)
from ..quizkit import Choice, MultipleChoice, Numeric, Quiz, TrueFalse

__all__ = ["QUIZ_LIST"]

NB01 = "01_preference_probability"
NB02 = "02_pairwise_loss"
NB03 = "03_listwise_loss"
NB05 = "05_training_a_reward_model"
NB06 = "06_diagnosing_and_comparing"

LN2 = math.log(2.0)
_LOSS = "L = −E<sub>(x, y<sub>a</sub>, y<sub>b</sub>) ∼ D</sub>[log σ(r(x, y<sub>a</sub>) − " \
        "r(x, y<sub>b</sub>))]"


def _f(x) -> float:
    return float(x)


# --- numbers used below (all from the library) ----------------------------------------
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


QUIZ_LIST: list[Quiz] = [
    # 1 -------------------------------------------------------------------------------
    MultipleChoice(
        id="pairwise-loss-effect", seed=1, notebook=NB05,
        topic="the effect of minimising the pair-wise loss",
        question=(f"A reward model is trained by minimising {_LOSS}, where annotators "
                  "preferred y<sub>a</sub> over y<sub>b</sub> for input x. What is the "
                  "primary effect of successfully minimising this loss on the model's "
                  "behaviour?"),
        explanation=("Each term is −log Pr(y_a ≻ y_b | x) = −log σ(r_a − r_b). It falls "
                     "when the gap r(x, y_a) − r(x, y_b) grows, so the model learns to score "
                     "the responses people prefer above the ones they reject: its "
                     "Bradley–Terry probabilities come to match the human choices."),
        choices=(
            Choice("It learns to give preferred responses higher rewards than rejected "
                   "ones, so its Pr(y_a ≻ y_b) matches the human preferences.",
                   "Each term −log σ(r_a − r_b) falls as the gap r(x, y_a) − r(x, y_b) "
                   "grows, so the model learns to rank preferred responses above rejected "
                   "ones."),
            Choice("It learns to generate responses like the preferred ones.",
                   "A reward model does not generate text: it scores a (prompt, response) "
                   "pair with one number. Generating better responses is the job of the "
                   "policy, trained afterwards (e.g. with RL) against this reward."),
            Choice("It pushes r(x, y_a) towards 1 and r(x, y_b) towards 0.",
                   "Rewards are not probabilities. Only the difference r_a − r_b enters "
                   "σ(·), so adding a constant to both changes nothing; the loss keeps "
                   "falling as the gap grows past 1."),
            Choice("It makes each reward equal the annotators' absolute quality score.",
                   "The data hold comparisons, not scores. Bradley–Terry only sees reward "
                   "differences, so the rewards are fixed only up to a constant per "
                   "prompt: there is no absolute scale to match."),
        ),
        correct_index=0),
    # 2 -------------------------------------------------------------------------------
    MultipleChoice(
        id="training-diagnosis", seed=2, notebook=NB06,
        topic="reward-model training diagnosis",
        question=("You train a reward model with the pair-wise loss. The training loss sits "
                  "at 0.693 from the first step to the last, and accuracy on held-out pairs "
                  "stays at 50%. What is the most likely explanation?"),
        explanation=("0.693 = ln 2 = −log 0.5 is exactly what a model earns when it gives "
                     "both responses of every pair the same reward (Pr = 0.5). The model "
                     "has learned nothing: look at the learning rate (too small, or so large "
                     "that training broke down), whether gradients reach the parameters, and "
                     "whether the labels carry signal (random or very noisy preferences "
                     "make ln 2 the best achievable loss)."),
        choices=(
            Choice("The model is overfitting the training pairs.",
                   "Overfitting shows as a training loss that falls well below the "
                   "held-out loss. Here the training loss itself never moves."),
            Choice("The model gives (nearly) equal rewards to both responses of every pair, "
                   "so Pr ≈ 0.5 and the loss is ln 2: it is not learning.",
                   "0.693 = ln 2 = −log 0.5: the model is a coin flip. Check the learning "
                   "rate, whether gradients flow, and whether the labels carry signal."),
            Choice("Training has converged: 0.693 is the lowest value this loss can reach.",
                   "The loss approaches 0 when the model separates consistent preferences. "
                   "ln 2 is what an undecided model earns; it is the best possible only "
                   "when the labels are pure noise."),
            Choice("The model learned the labels backwards and prefers rejected responses.",
                   "Then Pr(y_a ≻ y_b) < 0.5, the loss would be above ln 2 (growing about "
                   "linearly with the wrong gap) and held-out accuracy below 50%."),
        ),
        correct_index=1),
    # 3 -------------------------------------------------------------------------------
    MultipleChoice(
        id="phi-composition", seed=3, notebook=NB05,
        topic="the composition of φ",
        question=("A reward model r<sub>φ</sub>(x, y) runs a Transformer decoder, initialised "
                  "from a pre-trained LLM, over the sequence [x, y], and maps the hidden "
                  "state of the last token, h<sub>last</sub>, through a linear layer "
                  "W<sub>r</sub> to one scalar. The loss is minimised over φ. What does φ "
                  "consist of?"),
        explanation=("φ is every trainable parameter of the reward model: the Transformer "
                     "decoder (the LLM backbone, starting from its pre-trained weights) and "
                     "the linear head W_r that turns h_last into the reward. Both are trained "
                     "together on the preference loss."),
        choices=(
            Choice("The parameters of the Transformer decoder (the LLM backbone) and of the "
                   "linear head W_r, trained together.",
                   "φ is everything trainable in r_φ: the backbone and the head."),
            Choice("Only the linear head W_r; the LLM's parameters are not part of φ.",
                   "The backbone is part of the reward model and is fine-tuned with it. "
                   "Freezing it is a cheaper variant, not what φ denotes."),
            Choice("The parameters of the policy LLM that is being aligned.",
                   "The policy is a separate model (usually written θ). The reward model "
                   "is trained first and then scores the policy's outputs."),
            Choice("The human preference labels collected for training.",
                   "The labels are the data D the loss is averaged over; φ are the "
                   "parameters that the loss is minimised over."),
        ),
        correct_index=0),
    # 4 -------------------------------------------------------------------------------
    MultipleChoice(
        id="expected-vs-empirical", seed=4, notebook=NB02,
        topic="approximating the expected loss with the empirical loss",
        question=(f"The reward-model loss is an expectation, {_LOSS}. In practice it is "
                  "computed as the average over the |D| collected pairs, "
                  "−(1/|D|) Σ log σ(r(x, y<sub>a</sub>) − r(x, y<sub>b</sub>)) (Eq. 4.37). "
                  "What assumption makes this average the right stand-in for the "
                  "expectation?"),
        explanation=("A sample average estimates an expectation when the samples are drawn "
                     "from the distribution the expectation is taken over. Eq. 4.37 gives "
                     "every pair the same weight 1/|D|, which is right if the pairs were "
                     "sampled uniformly (independently, identically). If some prompts are "
                     "over-represented, the average optimises for them instead."),
        choices=(
            Choice("The rewards are normalised to lie between 0 and 1.",
                   "Rewards are unbounded real numbers and only their differences matter; "
                   "their range has nothing to do with replacing E[·] by an average."),
            Choice("The reward model is already close to its optimum.",
                   "The approximation is about the data, not the model: it holds (or "
                   "fails) for any parameters φ."),
            Choice("The preference pairs are sampled uniformly, so each gets the same "
                   "weight 1/|D|.",
                   "An average estimates an expectation when the pairs are drawn uniformly "
                   "(i.i.d.) from the distribution the expectation is over."),
            Choice("Every prompt has exactly one preference pair.",
                   "Prompts may have many pairs. What matters is that the pairs, as "
                   "sampled, represent the distribution; duplicating one prompt's pairs "
                   "shifts the average towards it."),
        ),
        correct_index=2),
    # 5 -------------------------------------------------------------------------------
    Numeric(
        id="confidence-and-loss", seed=5, notebook=NB02,
        topic="the impact of prediction confidence on the loss",
        question=("For one preference pair the model gives Δ = r(x, y<sub>a</sub>) − "
                  "r(x, y<sub>b</sub>) = −4: it confidently prefers the <i>rejected</i> "
                  "response. What is the pair-wise loss −log σ(Δ)? Give 2 decimals. (For "
                  f"comparison: Δ = 0 gives ln 2 ≈ {LN2:.3f}, Δ = +4 gives {_RIGHT4:.3f}.)"),
        explanation=(f"−log σ(−4) = log(1 + e⁴) ≈ {_WRONG4:.4f}. Confident and wrong costs "
                     "about |Δ| (the loss grows linearly), uncertain costs ln 2, confident "
                     f"and right costs about e^(−Δ) ≈ {_RIGHT4:.3f}: confident mistakes are "
                     "punished hardest."),
        value=_WRONG4, tolerance=0.006,
        mistakes=(
            (_RIGHT4, 0.006, f"{_RIGHT4:.3f} is the loss for Δ = +4, confident and right. "
                             "With Δ = −4 the model backs the rejected response, so the "
                             "loss is large."),
            (-_WRONG4, 0.05, "A loss −log p with p ≤ 1 is never negative. Check the sign: "
                             "−log σ(−4) = log(1 + e⁴)."),
            (LN2, 0.01, "ln 2 is the loss of an undecided model (Δ = 0). At Δ = −4 the "
                        "model is confident, and wrong."),
            (4.0, 0.006, "Close: −Δ = 4 is the linear asymptote. The exact loss adds "
                         "log(1 + e^(−4)) ≈ 0.018."),
            (_SIG4, 0.006, f"{_SIG4:.3f} is σ(4) = 1 − σ(−4), the size of the gradient; "
                           "the loss is −log σ(−4)."),
        ),
        fallback="Compute −log σ(−4) = −log(1/(1 + e⁴)) = log(1 + e⁴)."),
    # 6 -------------------------------------------------------------------------------
    MultipleChoice(
        id="inconsistent-scenario", seed=6, notebook=NB01,
        topic="a logical inconsistency between scores and preference probability",
        question=("A system scores responses with r(input, response) and computes "
                  "Probability(Y<sub>a</sub> preferred over Y<sub>b</sub>) = "
                  "Sigmoid(r(input, Y<sub>a</sub>) − r(input, Y<sub>b</sub>)), with "
                  "Sigmoid(z) = 1 / (1 + e<sup>−z</sup>). Which scenario, for a single "
                  "input, is logically <i>inconsistent</i>?"),
        explanation=("Sigmoid(z) > 0.5 exactly when z > 0. With r(Y_a) = 3.0 < r(Y_b) = 4.0 "
                     "the gap is −1, so the probability must be Sigmoid(−1) ≈ 0.27, "
                     "below 0.5. A probability of 0.73 would need r(Y_a) above r(Y_b)."),
        choices=(
            Choice("r(Y_a) = 2.0, r(Y_b) = 1.0, Probability = 0.73",
                   "Consistent: Sigmoid(2.0 − 1.0) = Sigmoid(1) ≈ 0.731."),
            Choice("r(Y_a) = 5.0, r(Y_b) = 5.0, Probability = 0.50",
                   "Consistent: equal rewards give Sigmoid(0) = 0.5, however large they are."),
            Choice("r(Y_a) = −1.0, r(Y_b) = −3.0, Probability = 0.88",
                   "Consistent: negative rewards are fine; only the gap matters, and "
                   "Sigmoid(−1 − (−3)) = Sigmoid(2) ≈ 0.881."),
            Choice("r(Y_a) = 3.0, r(Y_b) = 4.0, Probability = 0.73",
                   "Y_a has the lower reward, so Sigmoid(3 − 4) = Sigmoid(−1) ≈ 0.27 < 0.5."),
        ),
        correct_index=3),
    # 7 -------------------------------------------------------------------------------
    MultipleChoice(
        id="preference-invariance", seed=7, notebook=NB01,
        topic="the invariance of the preference probability",
        question=("With r(x, y<sub>a</sub>) = 2 and r(x, y<sub>b</sub>) = 1 the model gives "
                  "Pr(y<sub>a</sub> ≻ y<sub>b</sub>) = σ(1) ≈ 0.731. A new version of the "
                  "reward model adds 10 to every reward: 12 and 11. What is "
                  "Pr(y<sub>a</sub> ≻ y<sub>b</sub>) now?"),
        explanation=("Only the gap enters: σ((r_a + c) − (r_b + c)) = σ(r_a − r_b). In the "
                     "exponential form the factor e^c cancels: e^(r_a + c) / (e^(r_a + c) + "
                     "e^(r_b + c)) = e^r_a / (e^r_a + e^r_b). Rewards are defined only up to "
                     "a constant; scaling them, by contrast, does change the probability."),
        choices=(
            Choice("≈ 0.731, unchanged.",
                   "σ(12 − 11) = σ(1): adding the same constant to both rewards cancels "
                   "in the difference."),
            Choice("≈ 1.000: both rewards are now large, so y_a wins with near certainty.",
                   "The level of the rewards carries no information; only r_a − r_b = 1 "
                   "enters the sigmoid, and it did not change."),
            Choice("≈ 0.5: at rewards this large the sigmoid saturates.",
                   "The sigmoid is applied to the difference, which is still 1, not to "
                   "the rewards themselves."),
            Choice("It cannot be known without the model's other rewards.",
                   "Bradley–Terry compares two responses at a time: σ(r_a − r_b) needs "
                   "just these two rewards."),
        ),
        correct_index=0),
    # 8 -------------------------------------------------------------------------------
    MultipleChoice(
        id="data-distribution", seed=8, notebook=NB06,
        topic="the impact of data distribution on training",
        question=("Your preference data set has 9,000 pairs for coding prompts and 1,000 "
                  "for medical questions. Training minimises the empirical average loss "
                  "(Eq. 4.37). What effect does this distribution have on the reward "
                  "model?"),
        explanation=("Eq. 4.37 weighs every pair equally, so coding pairs make up 90% of "
                     "the objective. The model fits the coding preferences best and may "
                     "judge medical answers poorly: the average approximates the "
                     "expectation under the data's distribution of prompts, not the one "
                     "you deploy on. Re-weighting, re-sampling or collecting more medical "
                     "pairs changes what is optimised."),
        choices=(
            Choice("None: averaging makes each domain count equally.",
                   "The average is over pairs, not domains: each coding pair and each "
                   "medical pair weighs 1/|D|, so coding carries 90% of the loss."),
            Choice("Coding preferences dominate the objective, so the model fits them best "
                   "and can be weak on medical prompts.",
                   "Eq. 4.37 weighs every pair equally, so 90% of the objective is about "
                   "coding; what the average optimises follows the data's mix."),
            Choice("Medical pairs count more because they are rarer and harder.",
                   "Nothing in the loss up-weights rare or hard pairs; each pair weighs "
                   "1/|D|."),
            Choice("Only the total number of pairs matters, not their mix.",
                   "The mix decides which preferences the average is about; 10,000 "
                   "coding-heavy pairs teach something else than 10,000 balanced ones."),
        ),
        correct_index=1),
    # 9 -------------------------------------------------------------------------------
    MultipleChoice(
        id="two-pair-loss", seed=9, notebook=NB02,
        topic="the loss expression for the two-pair dataset",
        question=("A data set D holds exactly two preference pairs: for input "
                  "x<sub>1</sub>, response y<sub>A</sub> is preferred over y<sub>B</sub>; "
                  "for input x<sub>2</sub>, y<sub>C</sub> is preferred over y<sub>D</sub>. "
                  "Using the empirical loss L = −(1/|D|) Σ log σ(r(x, y<sub>a</sub>) − "
                  "r(x, y<sub>b</sub>)), which expression is the loss for this data set?"),
        explanation=("|D| = 2, and each pair compares the preferred and the rejected "
                     "response to the same input: L = −½ [log σ(r(x1, y_A) − r(x1, y_B)) + "
                     "log σ(r(x2, y_C) − r(x2, y_D))]."),
        choices=(
            Choice("−½ [log σ(r(x1, y_A) − r(x1, y_B)) + log σ(r(x2, y_C) − r(x2, y_D))]",
                   "Average over |D| = 2 pairs, each preferred minus rejected, same input."),
            Choice("−[log σ(r(x1, y_A) − r(x1, y_B)) + log σ(r(x2, y_C) − r(x2, y_D))]",
                   "That is the sum, |D| times the loss. Eq. 4.37 divides by |D| = 2; the "
                   "sum has the same minimiser but grows with the size of the data set."),
            Choice("−½ [log σ(r(x1, y_B) − r(x1, y_A)) + log σ(r(x2, y_D) − r(x2, y_C))]",
                   "The differences are reversed (rejected minus preferred): minimising "
                   "this would teach the model to prefer the rejected responses."),
            Choice("−½ [log σ(r(x1, y_A) − r(x2, y_C)) + log σ(r(x1, y_B) − r(x2, y_D))]",
                   "This compares responses to different inputs. A preference pair "
                   "compares two responses to the same input x."),
            Choice("½ [log σ(r(x1, y_A) − r(x1, y_B)) + log σ(r(x2, y_C) − r(x2, y_D))]",
                   "The minus sign is missing: minimising this would push the probability "
                   "of the human choices towards 0."),
        ),
        correct_index=0),
    # 10 ------------------------------------------------------------------------------
    MultipleChoice(
        id="compare-reward-models", seed=10, notebook=NB06,
        topic="comparing reward-model performance",
        question=("Two reward models are evaluated on the same 2,000 held-out preference "
                  "pairs, which neither saw in training. RM-1: average pair-wise loss 0.45, "
                  "accuracy 78%. RM-2: loss 0.62, accuracy 71%. Which conclusion is best "
                  "supported?"),
        explanation=("On the same held-out pairs, a lower average −log Pr(human choice) "
                     "means RM-1 assigns higher probability to what people preferred, and "
                     "its higher accuracy means it orders more pairs correctly. Both "
                     "measures favour RM-1 here (they can disagree: accuracy ignores "
                     "confidence). It is evidence, not a guarantee that a policy trained "
                     "on RM-1 will be better."),
        choices=(
            Choice("RM-1 models the held-out human preferences better: lower loss and "
                   "higher accuracy on the same pairs.",
                   "Lower held-out loss means higher probability for the human choices; "
                   "higher accuracy means more pairs ordered correctly."),
            Choice("They cannot be compared, because reward scales are arbitrary.",
                   "The loss depends only on reward differences through σ, and it is "
                   "computed on the same pairs for both, so the numbers are comparable."),
            Choice("RM-2 is better: its higher loss shows it overfits less.",
                   "Overfitting is judged by the gap between training and held-out loss; "
                   "these are held-out numbers, and lower is better."),
            Choice("RM-1 is guaranteed to produce the better-aligned policy.",
                   "Held-out fit is evidence, not a guarantee: the policy may be pushed "
                   "towards outputs unlike the held-out pairs, where either model can be "
                   "wrong."),
        ),
        correct_index=0),
    # 11 ------------------------------------------------------------------------------
    MultipleChoice(
        id="decompose-ranking", seed=11, notebook=NB03,
        topic="decomposing C > A > D > B into pair-wise preferences",
        question=("An annotator ranks four responses to a prompt, best to worst: "
                  "C &gt; A &gt; D &gt; B. A loss is computed by summing the losses of every "
                  "pair-wise comparison implied by this ranking. Which set lists all the "
                  "pair-wise preferences used?"),
        explanation=("A ranking of N = 4 implies N(N−1)/2 = 6 preferences, one for every "
                     "pair, each in the direction of the ranking: C ≻ A, C ≻ D, C ≻ B, "
                     "A ≻ D, A ≻ B, D ≻ B."),
        choices=(
            Choice("{C≻A, A≻D, D≻B}",
                   "These are only the 3 neighbouring pairs. The ranking also says C ≻ D, "
                   "C ≻ B and A ≻ B: 4·3/2 = 6 pairs in all."),
            Choice("{C≻A, C≻D, C≻B, A≻D, A≻B, D≻B}",
                   "All 6 = 4·3/2 pairs, each in the ranking's direction."),
            Choice("{C≻A, C≻D, C≻B, A≻D, A≻B, B≻D}",
                   "Six pairs, but B ≻ D is backwards: B is ranked last, so D ≻ B."),
            Choice("all 12 ordered pairs: {C≻A, A≻C, C≻D, D≻C, C≻B, B≻C, A≻D, D≻A, A≻B, "
                   "B≻A, D≻B, B≻D}",
                   "This is the literal-reading trap: a ranking states one direction for "
                   "each pair. Including both directions asks the model to believe "
                   "contradictions, and the loss is then minimised by equal rewards."),
        ),
        correct_index=1),
    # 12 ------------------------------------------------------------------------------
    MultipleChoice(
        id="listwise-evaluation", seed=12, notebook=NB03,
        topic="evaluating preference-model performance with the listwise loss",
        question=("Annotators ranked C &gt; A &gt; D &gt; B. Model P scores (A, B, C, D) = "
                  "(0.5, −1.0, 2.0, 0.1); model Q scores (A, B, C, D) = (2.0, −1.0, 0.5, "
                  "0.1), i.e. it swaps A and C. Using the listwise loss of Eq. 4.57, which "
                  "model agrees better with the annotators?"),
        explanation=(f"In ranked order P gives (2.0, 0.5, 0.1, −1.0): every pair in the "
                     f"right direction, listwise loss {_LP:.4f}. Q gives (0.5, 2.0, 0.1, "
                     f"−1.0): the top pair C ≻ A is backwards by 1.5, and the loss rises to "
                     f"{_LQ:.4f}. Lower listwise loss = higher average log-probability of "
                     "the annotators' pair orders, so P agrees better."),
        choices=(
            Choice("Model P: it has the lower listwise loss.",
                   f"P's loss is {_LP:.4f}, Q's {_LQ:.4f}: Q gets the top pair C ≻ A "
                   "backwards."),
            Choice("Model Q: its listwise loss is higher, and higher means better.",
                   f"It is a loss: lower is better. Q's {_LQ:.4f} is worse than P's "
                   f"{_LP:.4f}."),
            Choice("They tie: both use the same four scores.",
                   "Which item gets which score matters. Q gives A more than C, against "
                   f"the ranking: {_LQ:.4f} versus {_LP:.4f}."),
            Choice("Neither: the listwise loss cannot compare models on one list.",
                   "On the same ranked list, the average −log Pr of the true pair orders "
                   "is directly comparable between models."),
        ),
        correct_index=0),
    # 13 ------------------------------------------------------------------------------
    MultipleChoice(
        id="normalisation-term", seed=13, notebook=NB03,
        topic="the analytical consequence of the 1/(N(N−1)) term",
        question=("In the listwise loss L = −E[ 1/(N(N−1)) Σ<sub>a≠b</sub> "
                  "log Pr(y<sub>a</sub> ≻ y<sub>b</sub> | x) ], N is the number of items in "
                  "the list Y. What is the primary analytical consequence of the "
                  "normalisation term 1/(N(N−1))?"),
        explanation=("A list of N items has N(N−1) ordered pairs, a number that grows like "
                     "N². Dividing by it turns the sum into a per-pair average, so lists "
                     "of different lengths contribute on a comparable scale (an undecided "
                     "model scores ln 2 whatever N), and long lists do not dominate the "
                     "expectation merely by having more pairs."),
        choices=(
            Choice("It makes the loss a probability between 0 and 1.",
                   "The loss is an average of −log probabilities: it is ≥ 0 but "
                   "unbounded above (a confident wrong pair costs about |Δ|)."),
            Choice("It averages over the N(N−1) ordered pairs, so lists of different "
                   "lengths contribute on a comparable scale.",
                   "The pair count grows like N²; dividing by it makes the loss a "
                   "per-pair average (ln 2 for an undecided model, whatever N)."),
            Choice("It changes which scores are optimal for a single list.",
                   "A positive constant factor does not move the minimiser of one list's "
                   "term; it changes how lists of different N are weighed against each "
                   "other."),
            Choice("It prevents the gradient from vanishing for long lists.",
                   "It does the opposite of amplifying: it scales each pair's gradient "
                   "down by 1/(N(N−1)). Its purpose is comparability, not gradient size."),
        ),
        correct_index=1),
    # 14 ------------------------------------------------------------------------------
    Numeric(
        id="listwise-concrete", seed=14, notebook=NB03,
        topic="applying the listwise summation to a concrete list",
        question=("A list is ranked A &gt; B &gt; C, and the model scores r(A) = 2, "
                  "r(B) = 1, r(C) = 0. Compute the listwise loss of Eq. 4.57 for this list, "
                  "−1/(N(N−1)) Σ<sub>a≠b</sub> log Pr(true order of a and b). Give 3 "
                  "decimals."),
        explanation=(f"The pairs A≻B, A≻C, B≻C have gaps 1, 2, 1 and losses "
                     f"{_f(pairwise_loss(1.0, 0.0)):.4f}, {_f(pairwise_loss(2.0, 0.0)):.4f}, "
                     f"{_f(pairwise_loss(1.0, 0.0)):.4f} (sum {_ABC_PAIRS:.4f}). The N(N−1) "
                     f"= 6 ordered pairs count each twice: {2 * _ABC_PAIRS:.4f}, and "
                     f"dividing by 6 gives {_ABC_LIST:.4f} (the mean over the 3 pairs)."),
        value=_ABC_LIST, tolerance=0.0015,
        mistakes=(
            (_ABC_PAIRS, 0.0015, "That is the sum over the 3 pairs without the "
                                 "1/(N(N−1)) average."),
            (2 * _ABC_PAIRS, 0.0015, "That is the sum over all 6 ordered pairs; Eq. 4.57 "
                                     "divides it by N(N−1) = 6."),
            (_ABC_PAIRS / 6, 0.0015, "You divided the 3-pair sum by 6. The 6 ordered pairs "
                                     "count each pair twice, so it is the 6-term sum over "
                                     "6 — the mean over the 3 pairs."),
            (_ABC_LITERAL, 0.0015, "That is the literal reading: log Pr(a ≻ b) for both "
                                   "orders of every pair, whatever the ranking. Each term "
                                   "must use the probability of the pair's true order."),
            (_ABC_PL, 0.0015, "That is the Plackett–Luce loss −log Pr(A ≻ B ≻ C), a "
                              "different listwise loss (Eqs. 4.58–4.61)."),
        ),
        fallback=("List the 3 pairs in their true order (A≻B, A≻C, B≻C), compute "
                  "−log σ(r_better − r_worse) for each, and average (each appears twice "
                  "among the 6 ordered pairs).")),
    # 15 ------------------------------------------------------------------------------
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
