"""Answer: candidate scoring, the abstain decision, selection, conversation and safety lines."""
