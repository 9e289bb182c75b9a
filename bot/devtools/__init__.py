"""Development tools (.venv): evaluation, the real-question replay, `make bench`, load test, test stacks."""
