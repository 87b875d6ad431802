"""Self-check questions of notebooks 04 (what the loss does to the rewards) and 07 (ties and
calibration).  ``seed=0``: these are not among the fifteen seed questions.

    id                      notebook
    gradient-push           04_what_the_loss_does_to_rewards
    scale-from-noise        04_what_the_loss_does_to_rewards
    offset-fixes            04_what_the_loss_does_to_rewards
    margin-effect           04_what_the_loss_does_to_rewards
    tie-conventions         07_ties_and_calibration
    tiered-pairs            07_ties_and_calibration
    calibration-vs-accuracy 07_ties_and_calibration
"""

from __future__ import annotations

from ...math.ties import tiered_pair_count
from ...model.evaluate import accuracy_with_ties
from ..kit import Choice, MultipleChoice, Numeric, Quiz

__all__ = ["QUIZ_LIST"]

NB04 = "04_what_the_loss_does_to_rewards"
NB07 = "07_ties_and_calibration"

# 70 pairs right, 10 wrong, 20 tied (a 1–10 judge)
_STRICT = accuracy_with_ties(70, 10, 20, "wrong")
_EXCL = accuracy_with_ties(70, 10, 20, "exclude")
_SPLIT = accuracy_with_ties(70, 10, 20, "split")
_TIERED = tiered_pair_count("A > B = C > D = E")       # (5² − (1 + 4 + 4)) / 2 = 8

QUIZ_LIST: list[Quiz] = [
    MultipleChoice(
        id="gradient-push", seed=0, notebook=NB04, topic="the gradient, reward by reward",
        question=("One step of gradient descent on −log Sigmoid(r<sub>c</sub> − r<sub>r</sub>). "
                  "Pair 1 has Δ = r<sub>c</sub> − r<sub>r</sub> = +6, pair 2 has Δ = −1. "
                  "What does the step do to the rewards?"),
        explanation=("∂ℓ/∂r_c = −Sigmoid(−Δ) and ∂ℓ/∂r_r = +Sigmoid(−Δ). Pair 2 (wrong) pushes "
                     "with "
                     "Sigmoid(1) ≈ 0.73; pair 1 (confidently right) with Sigmoid(−6) ≈ 0.0025, "
                     "almost "
                     "nothing. Each push raises r_c and lowers r_r by the same amount."),
        choices=(
            Choice("Both pairs get the same push of 0.5 per reward, because the step size is "
                   "shared by all pairs.",
                   "The step size is shared, but the push Sigmoid(−Δ) depends on Δ: 0.73 for the "
                   "wrong pair, 0.0025 for the confidently right one."),
            Choice("Pair 1 gets the larger push, about 6 against 1, because the gradient "
                   "grows with the gap.",
                   "The gradient of −log Sigmoid(Δ) shrinks as Δ grows: a confidently right pair "
                   "has Sigmoid(−6) ≈ 0.0025 left to give."),
            Choice("Pair 2's rewards are pushed apart with weight about 0.73, while pair 1's "
                   "barely move (about 0.0025).",
                   "Right: Sigmoid(−Δ) is the weight of each pair's push."),
            Choice("Pair 2 moves with weight about 0.27 = Sigmoid(−1), pair 1 with about "
                   "0.9975 = Sigmoid(6).",
                   "That is Sigmoid(Δ), the probability of the right order. The push is "
                   "Sigmoid(−Δ): "
                   "large for the wrong pair (0.73), tiny for the right one (0.0025)."),
        ),
        correct_index=2),
    MultipleChoice(
        id="scale-from-noise", seed=0, notebook=NB04, topic="rewards around −30",
        question=("Trained on noiseless labels, your reward model orders 100 % of its "
                  "training pairs right and 90 % of held-out pairs. Its chosen rewards sit "
                  "around −30, its gaps are huge, and the training loss keeps creeping down. "
                  "Which reading fits best?"),
        explanation=("The loss sees only gaps: the level (−30) is free and means nothing. "
                     "Separable training pairs let the loss keep falling as the gaps grow, "
                     "so the scale drifts (with annotators of rationality β it would settle "
                     "at β·r*). The order is usable, but the held-out pairs it gets wrong, "
                     "it gets wrong with huge gaps: its probabilities are overconfident, so "
                     "calibrate before using them (notebook 7)."),
        choices=(
            Choice("The level −30 is free and the scale drifts on separable pairs: use the "
                   "order, but calibrate the probabilities first.",
                   "Right: level free, scale unbounded without label noise, and the wrong "
                   "10 % are confidently wrong."),
            Choice("The model is broken: rewards of well-trained models sit near 0, and "
                   "−30 means the head has diverged and must be re-initialised.",
                   "Adding any constant to every reward of a prompt leaves the loss "
                   "unchanged, so −30 is as good as 0; accuracy 0.9 says the order is fine."),
            Choice("The annotators are very noisy: noisy labels push the learned rewards to "
                   "large magnitudes so that the loss can keep falling.",
                   "Backwards: noisy labels (small β) pull the scale DOWN to about β·r*; only "
                   "consistent labels let the gaps grow."),
            Choice("The learning rate is too low, so the loss creeps; a larger one would "
                   "bring the rewards back to their true scale of about ±1.",
                   "There is no true scale to come back to: on separable pairs the loss "
                   "keeps falling as the scale grows, whatever the learning rate."),
        ),
        correct_index=0),
    MultipleChoice(
        id="offset-fixes", seed=0, notebook=NB04, topic="normalising rewards after training",
        question=("You normalise a trained reward model's outputs to mean 0 and std 1 on a "
                  "reference set (as OpenRLHF's normalize_reward does). What does that fix?"),
        explanation=("A global affine map fixes one level and one spread for all prompts. "
                     "Per-prompt offsets f(x) stay exactly as they were relative to the "
                     "scale, and dividing by the std changes every gap, so the "
                     "Bradley–Terry probabilities change too."),
        choices=(
            Choice("Everything: after normalisation, rewards of different prompts can be "
                   "compared because every prompt's rewards now average zero.",
                   "The mean is zero over the whole reference set, not per prompt: each "
                   "prompt keeps its own offset f(x)."),
            Choice("The per-prompt offsets, not the scale: each prompt's rewards now average "
                   "zero, and the gaps keep their size.",
                   "The mean and std are taken over the whole reference set, so one shift "
                   "and one scale act on all prompts: offsets stay, and the gaps shrink."),
            Choice("The same as TRL's centering penalty: both pin each pair's rewards around "
                   "zero, one during training and one after it.",
                   "TRL's penalty acts on every pair (r_c + r_r)² during training; a global "
                   "normalisation moves all rewards by one shift and one scale."),
            Choice("A single shift and a single scale shared by every prompt: offsets "
                   "between prompts remain, and each probability changes.",
                   "Right: one shift and one scale for all prompts."),
        ),
        correct_index=3),
    MultipleChoice(
        id="margin-effect", seed=0, notebook=NB04, topic="Llama 2's margin",
        question=("Llama 2 trains with −log Sigmoid(r<sub>c</sub> − r<sub>r</sub> − m), with m "
                  "larger for stronger preferences. What does the margin do to a pair?"),
        explanation=("The push becomes Sigmoid(−(Δ − m)): a pair is only 'done' once its gap "
                     "clears m, so strong pairs get wider gaps and the whole scale grows. "
                     "Llama 3 dropped it, reporting diminishing improvements after data scaling."),
        choices=(
            Choice("It subtracts m from the loss of strong pairs, so they count less and the "
                   "model attends more to the weak, uncertain pairs.",
                   "m is inside the Sigmoid: −log Sigmoid(Δ − m) is LARGER than "
                   "−log Sigmoid(Δ) for m > 0, so strong pairs count more until their gap "
                   "clears m."),
            Choice("It keeps pushing a pair until its gap clears m, so strong pairs end with "
                   "wider gaps and the rewards' scale grows.",
                   "Right: the push Sigmoid(−(Δ − m)) stays large until Δ passes m."),
            Choice("It caps the gap of each pair at m, so rewards stay bounded and the scale "
                   "stays put even with noiseless labels.",
                   "Nothing caps the gap: past m the loss still falls as Δ grows, so the "
                   "scale can still drift."),
            Choice("It leaves the gradient as it was: m is a constant, and constants vanish "
                   "when the loss is differentiated.",
                   "m sits inside the sigmoid, so it shifts where the gradient Sigmoid(−(Δ − m)) "
                   "falls off; it does not add a constant to the loss."),
        ),
        correct_index=1),
    Numeric(
        id="tie-conventions", seed=0, notebook=NB07, topic="ties and accuracy conventions",
        question=("A 1–10 judge scores 100 held-out pairs: 70 right, 10 wrong, 20 tied. "
                  "Under RewardBench 2's rule (a tie between 2 responses earns 1/k = 1/2) "
                  "what accuracy does it report?"),
        explanation=(f"(70 + 20/2) / 100 = {_SPLIT:.2f}. Strict (TRL, ties wrong): "
                     f"{_STRICT:.2f}; ties left out: 70/80 = {_EXCL:.3f}."),
        value=_SPLIT, tolerance=0.005,
        mistakes=((_STRICT, 0.005, "that is the strict convention (TRL, RewardBench v1): "
                                   "every tie counted wrong."),
                  (_EXCL, 0.005, "that leaves the ties out (70/80); the 1/k rule keeps them "
                                 "and gives each half a point."),
                  (0.9, 0.005, "that counts every tie as right; a tie earns 1/2, not 1.")),
        fallback="count 70 right pairs, add half a point for each of the 20 ties, and divide "
                 "by all 100 pairs."),
    Numeric(
        id="tiered-pairs", seed=0, notebook=NB07, topic="tiered rankings",
        question=("Annotators rank five responses as <code>A &gt; B = C &gt; D = E</code>. "
                  "How many (better, worse) pairs does this ranking imply?"),
        explanation=(f"Only pairs across tiers: A beats 4, B and C beat D and E (4 more): "
                     f"(N² − Σ n_t²)/2 = (25 − 1 − 4 − 4)/2 = {_TIERED}. The tied pairs B, C "
                     "and D, E give none."),
        value=float(_TIERED), tolerance=0.01,
        mistakes=((10.0, 0.01, "10 = N(N−1)/2 counts B–C and D–E too; items in one tier are "
                               "tied, so those two pairs say nothing."),
                  (6.0, 0.01, "6 counts only neighbouring tiers (A with B, C and B, C with D, "
                              "E); A also beats D and E."),
                  (16.0, 0.01, "16 counts each pair in both directions; a ranking gives each "
                               "cross-tier pair one direction.")),
        fallback="count, for each tier, the items in all the tiers below it, and add up."),
    MultipleChoice(
        id="calibration-vs-accuracy", seed=0, notebook=NB07, topic="calibration",
        question=("Model A orders 96% of held-out pairs right and says 0.99 for most of "
                  "them; annotators agree with it 96% of the time. What is true?"),
        explanation=("Accuracy asks whether the sign of Δ is right; calibration asks whether "
                     "σ(Δ) matches how often annotators agree. A says 0.99 where 0.96 is "
                     "observed: overconfident. One temperature T fitted on a validation "
                     "split fixes it without changing any order."),
        choices=(
            Choice("It is well calibrated: a model that orders 96% of the pairs right has "
                   "earned probabilities near 1, since most of its calls are correct.",
                   "Accuracy only asks whether the sign of Δ is right and ignores its size; A "
                   "says 0.99 where 0.96 is observed."),
            Choice("It is underconfident: its gaps are too small for 96% accuracy, and one "
                   "temperature T < 1, fitted on a validation split, would fix that.",
                   "Underconfident means saying less than the observed rate. A says 0.99 where "
                   "0.96 is observed: more, not less. T < 1 would push 0.99 further up."),
            Choice("Its calibration is judged on the training labels it was fitted to, so "
                   "0.99 against the 96% agreement on held-out pairs says little.",
                   "It is the other way round: calibration is measured on held-out pairs, "
                   "predicted σ(Δ) against the observed agreement rate."),
            Choice("It is overconfident: one temperature T > 1, fitted on a validation "
                   "split, would bring 0.99 down towards 0.96 and keep the order.",
                   "Right: accuracy and calibration answer different questions."),
        ),
        correct_index=3),
]
