"""Evaluation: the Q&A harness, pair scores, BEIR retrieval, IR metrics, reports and the abstention fit."""
