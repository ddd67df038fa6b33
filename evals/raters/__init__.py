"""Human raters: blind ratings of stored interviews (from the web app or a JSONL file), and how they agree with the
labels, with the grader and with each other."""
