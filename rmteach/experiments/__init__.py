"""Layer 4, the measurements the notebooks print, each a function of its seeds.

* :mod:`.seeds` – the suite's one rule for "A beats B" over several seeds;
* :mod:`.frozen_head` – what the loss does to the rewards, with a frozen backbone (nb 04);
* :mod:`.seed_tables` – the multi-seed tables of notebooks 04 and 07;
* :mod:`.diagnose` – why is my reward model not learning? (nb 06);
* :mod:`.sampling`, :mod:`.overoptimization` – best-of-n against a learned reward (nb 08);
* :mod:`.policy` – a tiny RLHF loop with a KL penalty (nb 09);
* :mod:`.ensembles` – best-of-n picked by an ensemble of reward models (nb 12).

Modules are imported by name; this package imports nothing, so ``rmteach.seeds`` stays light.
"""
