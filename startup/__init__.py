"""Start-up code shared by every service process in this project: settings loaded from the
environment, with a readable message when they are invalid, and JSON logging."""
