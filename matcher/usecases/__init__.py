"""The use cases: each question a caller can ask of a snapshot, with its policies applied once.

The API routes, the console pages, the command line and the evaluation harness translate HTTP,
HTML or arguments into one call here and render what comes back; none of them applies a rule of
its own (who may be proposed, which cluster exists, which pairs a run must not make again).
"""
