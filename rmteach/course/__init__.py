"""Layer 6, course tools: the nbgrader lab (:mod:`.lab`) and the hand-over to TRL
(:mod:`.trl_bridge`).  Each needs its optional requirements file; imported by name."""
