"""A network's thematic clusters as records: names in three languages, coordinators and their
terms, a work plan with dated status updates, and who takes part (GNLC strategy 2021-2023)."""
