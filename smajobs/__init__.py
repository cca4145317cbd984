"""småjobs: matching citizens far from the labour market with small jobs at inclusive employers.

This package holds only the composition root: the one config object and the one CLI.
The work is done in the top-level packages `matcher` (pure scoring), `data` (storage and
reference data), `web` (Flask) and `jobs` (scheduler and e-mail).
"""
