"""What every service process in this project does at start-up: load settings from the
environment and fail fast with a readable message when they are invalid."""
