"""Self-check questions for the loss family beyond the book (notebooks 11, 12).

    id                          notebook
    dpo-partition-cancels       11_the_reward_model_inside_dpo
    ipo-target-gap              11_the_reward_model_inside_dpo
    dpo-unseen-prompt           11_the_reward_model_inside_dpo
    offsets-cancel-in-pairs     12_beyond_one_bradley_terry
    best-of-4-all-equal         12_beyond_one_bradley_terry
    ensemble-shared-bias        12_beyond_one_bradley_terry

These are not seed questions of chapter 4, so their ``seed`` is 0.
"""

from __future__ import annotations

from ..kit import Choice, MultipleChoice, Numeric

__all__ = ["QUIZ_LIST"]

NB11 = "11_the_reward_model_inside_dpo"
NB12 = "12_beyond_one_bradley_terry"

QUIZ_LIST = [
    MultipleChoice(
        id="dpo-partition-cancels", seed=0, notebook=NB11,
        topic="DPO's implicit reward",
        question=("Solving the KL-regularised optimum for the reward gives r(x, y) = "
                  "β log π*(y|x)/π_ref(y|x) + β log Z(x), and Z(x) is a sum over every "
                  "possible response, which nobody can compute. Why can DPO train without "
                  "it?"),
        explanation=("Bradley–Terry only sees the gap r(x, y_a) − r(x, y_b) of two responses "
                     "to the same prompt x. β log Z(x) depends on x alone, so it appears in "
                     "both rewards and drops out of the gap: the pair-wise loss of the "
                     "implicit rewards needs only the four log-probabilities."),
        choices=(
            Choice("DPO estimates Z(x) by sampling a few responses from π_ref for each "
                   "prompt, and the estimate's error averages out over the batch.",
                   "No sampling is needed at all: look at which responses share Z(x)."),
            Choice("Both responses of a pair answer the same prompt, so β log Z(x) enters "
                   "both rewards alike and cancels in their gap.",
                   "Yes: the pair-wise loss sees only the gap, and Z(x) is the same for both."),
            Choice("The policy is normalised by its softmax, so log Z(x) equals zero for "
                   "every prompt once the policy has been trained to the optimum.",
                   "Z(x) = Σ_y π_ref(y|x) exp(r(x, y)/β) is not 1 in general; it cancels "
                   "for another reason."),
            Choice("β is chosen small enough that β log Z(x) is negligible next to the "
                   "log-ratio term, so DPO drops it as an approximation.",
                   "Nothing is approximated: the term cancels exactly. Which responses share "
                   "it?"),
        ),
        correct_index=1),
    Numeric(
        id="ipo-target-gap", seed=0, notebook=NB11,
        topic="IPO's bounded target",
        question=("IPO's loss per pair is (Δ − 1/(2β))², where Δ is the gap of the log-ratios "
                  "of the chosen and rejected responses. With β = 0.25 and labels that are "
                  "never flipped, at what gap Δ (in nats) does IPO stop pushing?"),
        explanation=("The squared loss is zero at Δ = 1/(2β) = 1/(2 · 0.25) = 2 nats, and any "
                     "further push raises it again. DPO's −log σ(βΔ) has no such point: it "
                     "keeps falling as Δ grows, so on clean labels it pushes the gap without "
                     "end."),
        value=2.0, tolerance=1e-3,
        mistakes=((4.0, 1e-3, "That is 1/β, where the hinge loss stops; IPO's target has "
                              "a 2 in the denominator."),
                  (0.125, 1e-3, "That is β/2; the target is 1/(2β)."),
                  (0.5, 1e-3, "That is the implicit reward margin β·Δ at the target; the "
                              "question asks for the gap Δ itself.")),
        fallback="Set the squared term to zero and solve for Δ."),
    MultipleChoice(
        id="dpo-unseen-prompt", seed=0, notebook=NB11,
        topic="where the implicit reward generalises",
        question=("In this notebook the policy keeps one row of word logits per prompt. After "
                  "DPO training, what is its implicit reward β log π/π_ref for a response to a "
                  "prompt that was not in the training pairs?"),
        explanation=("DPO's gradient only reaches the rows of the prompts in its pairs. A new "
                      "prompt's row is still log π_ref, so log π − log π_ref = 0 for every "
                      "response: the implicit reward cannot rank them (one half by the "
                      "notebook's rule). A language model shares its weights across prompts, so "
                      "its implicit reward does move there, but the same question applies: "
                      "how far does what it learned carry?"),
        choices=(
            Choice("Zero for every response, because that prompt's logits never received a "
                   "gradient and still equal log π_ref.",
                   "Yes: nothing links one prompt's row to another's."),
            Choice("The average of the implicit rewards the same words earned under the "
                   "training prompts, because the words are shared.",
                   "Words are shared, logits are not: each prompt has its own row."),
            Choice("The true reward r* up to a constant, because DPO's optimum reproduces "
                   "the reward that generated the labels on every prompt.",
                   "Only where the data pinned it down; this prompt had no data."),
            Choice("Whatever the explicit reward model gives, scaled by β, since both were "
                   "trained on the same pairs with the same loss.",
                   "The two models share data and loss, not parameters."),
        ),
        correct_index=0),
    MultipleChoice(
        id="offsets-cancel-in-pairs", seed=0, notebook=NB12,
        topic="ratings or pairs",
        question=("Each prompt's four responses are rated 1–5 by one annotator, and annotators "
                  "differ: one adds +1 to every rating, another −1. A regression model is fitted "
                  "to the ratings, a Bradley–Terry model to the pairs the ratings imply within "
                  "each prompt. Which model do the offsets reach, and why?"),
        explanation=("A pair compares two ratings by the same annotator, so the annotator's "
                     "offset is in both and drops out of which response was rated higher "
                     "(rounding aside). The regression target is the rating itself, offset "
                     "included: the model has to explain the offsets from the words, and can "
                     "only treat them as noise."),
        choices=(
            Choice("Both alike: Bradley–Terry's pairs come from the very same ratings, so "
                   "whatever shifts the ratings shifts the pairs just as much.",
                   "Shifting both ratings of a pair by the same amount does not change which "
                   "one is higher."),
            Choice("Only Bradley–Terry: the offsets change how many pairs are tied, and "
                   "tied ratings give no pair to learn from, so it sees less data.",
                   "An offset shifts all four ratings of a prompt alike; ties change only "
                   "where the 1–5 scale clips them."),
            Choice("Only regression: both ratings of a pair carry the same offset, so it "
                   "cancels in the pair, while the regression target keeps it.",
                   "Yes: the offset is shared within a pair and cancels, as Z(x) does in DPO."),
            Choice("Neither: the mean of the offsets over the annotators is close to zero, "
                   "so with enough prompts they average out of both models.",
                   "Averaging removes their mean, not their spread: each prompt's target "
                   "still carries its own annotator's offset."),
        ),
        correct_index=2),
    Numeric(
        id="best-of-4-all-equal", seed=0, notebook=NB12,
        topic="RewardBench 2's best-of-4",
        question=("RewardBench 2 counts a prompt as solved when the chosen response's reward is "
                  "strictly higher than each of three rejected responses' rewards. A broken "
                  "reward model gives every response the same reward. What share of prompts "
                  "does it solve (a number between 0 and 1)?"),
        explanation=("Every comparison is a tie, and a tie is not strictly higher, so no prompt "
                     "is solved: 0. A model that guesses at random solves 1/4 (chance), so the "
                     "tie rule puts a constant model below chance instead of at it."),
        value=0.0, tolerance=1e-6,
        mistakes=((0.25, 1e-6, "1/4 is a random model's share. A constant model never "
                               "scores the chosen response strictly higher."),
                  (0.5, 1e-6, "0.5 is what a tie counted as one half would give in pair "
                              "accuracy; best-of-4 has no half credit.")),
        fallback="Is a tie 'strictly higher'?"),
    MultipleChoice(
        id="ensemble-shared-bias", seed=0, notebook=NB12,
        topic="averaging several reward models",
        question=("Five reward models are trained with different seeds on the same preference "
                  "data, whose annotators over-reward filler words. Best-of-256 picks by the "
                  "mean of the five standardised scores. Compared with one of the models alone, "
                  "what does the averaging do to the filler shortcut?"),
        explanation=("Averaging cancels what the members disagree on: each one's own noise. The "
                     "filler bonus is in the labels all five learned from, so all five carry "
                     "it; the mean keeps it and, with the private noise gone, the pick finds "
                     "filler more reliably. Eisenstein et al. (2023) saw the same with real "
                     "reward models whose errors were shared."),
        choices=(
            Choice("It cancels the shortcut: each model learned the filler bonus with an error "
                   "of its own, and over five models those errors average out.",
                   "The errors that average out are the ones the models do not share; the "
                   "filler bonus comes from the labels all five learned from."),
            Choice("It flags the shortcut: the five disagree most on filler-heavy answers, so "
                   "the mean scores those answers below what a single model gives them.",
                   "Disagreement is what mean − k·sd penalises; the plain mean ignores it and "
                   "keeps the part of the bonus that all five learned from the same labels."),
            Choice("It keeps the shortcut: the five learned it from the same labels, so the "
                   "mean removes their private noise and the shared bonus stands out more.",
                   "Yes: a bias the members share survives the mean, and the pick finds it "
                   "more reliably than one noisy model does."),
            Choice("It shrinks the shortcut fivefold: the mean divides each model's filler "
                   "bonus by the number of models, leaving a fifth of it in the score.",
                   "The mean of five similar bonuses is about the same bonus, not a fifth of "
                   "it: the sum is divided by five, not each term."),
        ),
        correct_index=2),
]
