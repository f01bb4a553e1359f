"""The HTTP edge: the service container routes reach, webhook intake, security, admin and ops routes."""
