"""Self-check questions for the loss family beyond the book (notebooks 11, 12).

    id                          notebook
    dpo-partition-cancels       11_the_reward_model_inside_dpo
    ipo-target-gap              11_the_reward_model_inside_dpo
    dpo-unseen-prompt           11_the_reward_model_inside_dpo

These are not seed questions of chapter 4, so their ``seed`` is 0.
"""

from __future__ import annotations

from ..kit import Choice, MultipleChoice, Numeric

__all__ = ["QUIZ_LIST"]

NB11 = "11_the_reward_model_inside_dpo"

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
]
