"""Storage and reference data. Every SQL statement of småjobs lives in this package."""
