"""Layer 1, the math of chapter 4: one implementation of each formula, for NumPy and torch.

* :mod:`.losses` – Bradley–Terry (Eq. 4.35), the pair-wise loss (Eq. 4.37), the listwise
  loss (Eq. 4.57) and centering;
* beyond the book: :mod:`.dpo_losses` (DPO's implicit reward; sigmoid, robust, hinge, IPO)
  and :mod:`.rating_losses` (the regression loss on ratings), re-exported by :mod:`.losses`;
* :mod:`.plackett_luce` – the Plackett–Luce list likelihood (Eqs. 4.58–4.61);
* :mod:`.ranking` – "C > A > D > B" and tiered rankings, decomposed into pairs;
* :mod:`.ties` – tiered rankings with ties and the Davidson tie model;
* :mod:`.calibration` – is Sigmoid(Δ) a probability you can trust?
* :mod:`._arrays`, :mod:`._checks` – the array and argument plumbing every layer uses.

Nothing here imports torch at import time, or any other layer of rmteach.
"""
