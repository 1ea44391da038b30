"""The caller service: runs checks against the api and external APIs through the resilient
client and reports what happened."""
