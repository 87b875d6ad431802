"""Self-check questions for using a reward model and watching it get gamed (notebooks 08, 09).

    id                          notebook
    proxy-rises-true-falls      09_reward_hacking_and_kl
    kl-penalty-trade            09_reward_hacking_and_kl
    detect-length-shortcut      08_best_of_n_and_shortcuts
    kl-best-of-n                08_best_of_n_and_shortcuts

These are not seed questions of chapter 4, so their ``seed`` is 0.
"""

from __future__ import annotations

import math

from ..kit import Choice, MultipleChoice, Numeric

__all__ = ["QUIZ_LIST"]

NB08 = "08_best_of_n_and_shortcuts"
NB09 = "09_reward_hacking_and_kl"

_KL16 = math.log(16) - 15 / 16

QUIZ_LIST = [
    MultipleChoice(
        id="proxy-rises-true-falls", seed=0, notebook=NB09,
        topic="over-optimisation",
        question=("A policy is trained against a learned reward model. The learned reward "
                  "keeps rising with the policy's divergence from the reference, while the "
                  "true reward r* rises for a while, then stalls or falls: a policy pushed "
                  "further ends with a lower r*. Why does the true reward fall behind?"),
        explanation=("The reward model is right on average where it saw data, and wrong in "
                     "places. Early on, pushing up the learned reward mostly pushes up what it "
                     "got right, so r* rises. The harder the policy optimises, the more it "
                     "concentrates on the responses whose learned reward most exceeds their "
                     "true reward: the model's errors, not its knowledge. That is Goodhart's "
                     "law, and what Gao, Schulman & Hilton (2022) measured."),
        choices=(
            Choice("With β_KL = 0 the policy is free to drift far from the reference; the "
                   "missing penalty causes the fall, and a KL penalty would remove it.",
                   "The penalty limits how far the policy goes, so it can stop the policy "
                   "before the fall; it does not cause it. With a reward model that was right "
                   "everywhere, drifting far would only raise r*. The fall comes from where "
                   "the reward model is wrong."),
            Choice("The policy seeks out the responses whose learned reward most exceeds "
                   "their true reward, so it ends up exploiting the reward model's errors.",
                   "Yes: optimising hard selects for the model's over-ratings (Goodhart's "
                   "law)."),
            Choice("The policy's samples grow more varied as it trains, so the estimate of "
                   "the learned reward gets noisier and the noisy updates lower r*.",
                   "The opposite happens: the policy concentrates on a few words (notebook 9's "
                   "filler words), and noise in an unbiased estimate would not push r* down "
                   "steadily. The updates follow the learned reward faithfully; it is the "
                   "target that is wrong."),
            Choice("The reward model was trained for too few epochs; more epochs on the same "
                   "comparisons would fit them better and remove the fall.",
                   "More epochs fit the training comparisons better but say nothing about "
                   "responses far from them, which is where the policy goes. Gao et al. "
                   "(2022) found that larger reward models and more data move the turn "
                   "further out; they do not remove it."),
        ),
        correct_index=1),
    MultipleChoice(
        id="kl-penalty-trade", seed=0, notebook=NB09,
        topic="the KL penalty",
        question=("The policy maximises r(x, y) − β_KL · (log π(y|x) − log π_ref(y|x)). What "
                  "does raising β_KL trade?"),
        explanation=("β_KL prices every nat of divergence from the reference policy. A large "
                     "β_KL keeps the policy where the reward model was trained and is "
                     "trustworthy, at the cost of learned reward it could have had; a small "
                     "one lets it chase the learned reward into regions where the model is "
                     "wrong. Too small: reward hacking; too large: a policy that never "
                     "moves."),
        choices=(
            Choice("Training speed for final quality: a larger β_KL makes each step smaller, "
                   "but the policy reaches the same optimum after more steps.",
                   "A larger β_KL changes the optimum itself, not just the speed: the best "
                   "policy of r − β_KL·KL is π_ref·exp(r/β_KL), normalised, which stays "
                   "closer to π_ref for a larger β_KL however long you train."),
            Choice("Exploration for exploitation: the penalty keeps the policy sampling as "
                   "widely as the reference policy, so it explores evenly to the end.",
                   "The penalty pulls towards π_ref's own preferences, not towards an even "
                   "spread, and it does not stop the policy from concentrating where the "
                   "reward pays enough; it limits the divergence, it is not an entropy "
                   "bonus."),
            Choice("Bias for variance in the gradient: a larger β_KL lowers the variance of "
                   "the REINFORCE estimate but makes the gradient biased.",
                   "The KL term changes the objective; its expected gradient is still "
                   "unbiased for the penalised objective. The baseline is what lowers the "
                   "variance."),
            Choice("Learned reward for staying close to the reference policy, where the "
                   "reward model was trained and its scores are still reliable.",
                   "Yes: β_KL is the price of a nat of divergence from π_ref."),
        ),
        correct_index=3),
    MultipleChoice(
        id="detect-length-shortcut", seed=0, notebook=NB08,
        topic="length shortcuts",
        question=("You suspect your reward model rewards length itself, not quality. Which "
                  "measurement shows it?"),
        explanation=("Length can be honestly correlated with quality, so the plain "
                     "correlation of reward with length proves nothing. Hold quality fixed: "
                     "among responses that are equally good (same r*, or the same human "
                     "grade), does the reward still go up with length? If yes, the model "
                     "learned a shortcut. Length-controlled pairs take away the signal."),
        choices=(
            Choice("The correlation between the learned reward and the length among "
                   "responses of equal true quality: it should be zero for an honest model.",
                   "Yes: at fixed quality, length should not move an honest reward."),
            Choice("The correlation between the learned reward and the length over the whole "
                   "pool: a clearly positive value means the model learned length.",
                   "Longer answers may really be better (or worse) in your data; then an "
                   "honest model's reward correlates with length too. You must hold quality "
                   "fixed to separate the two."),
            Choice("The held-out pairwise accuracy on labels of true quality: a model that "
                   "learned length scores lower there, so a low accuracy reveals it.",
                   "A low accuracy says the model is worse, not why, and a length-biased model "
                   "need not score lower (in notebook 8 its picks were no worse in r*). Only "
                   "holding quality fixed isolates length."),
            Choice("The average length of the training responses: if the chosen ones are "
                   "longer on average, the trained model has learned length.",
                   "That describes the data, not the model. Chosen answers can be longer "
                   "because they are better; whether the model uses length itself needs a "
                   "test of the model at fixed quality."),
        ),
        correct_index=0),
    Numeric(
        id="kl-best-of-n", seed=0, notebook=NB08,
        topic="the cost of best-of-n",
        question=("Best-of-n draws n responses from the reference policy and keeps the one "
                  "with the highest learned reward. Its KL divergence from the reference is "
                  "KL_bon = log n − (n − 1)/n. What is KL_bon for n = 16, in nats (to 3 "
                  "decimals)?"),
        explanation=(f"log 16 − 15/16 = 2.773 − 0.9375 = {_KL16:.3f} nats. It grows like "
                     "log n: each doubling of n adds less than 0.7 nats, so best-of-n is a "
                     "cheap optimiser in KL terms, and its picks still drift towards what "
                     "the reward model over-rates."),
        value=_KL16, tolerance=0.002,
        mistakes=((math.log(16), 0.002, "That is log 16 alone; subtract (n − 1)/n = 15/16."),
                  (math.log2(16) - 15 / 16, 0.002, "log here is the natural log (nats), "
                                                   "not log base 2."),
                  (math.log(16) - 1 / 16, 0.002, "The second term is (n − 1)/n = 15/16, "
                                                 "not 1/n.")),
        fallback="Compute log n with the natural log, then subtract (n − 1)/n for n = 16."),
]
