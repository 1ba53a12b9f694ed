"""Public schema: application catalogue, conventions, amendments, notices, renewals."""
