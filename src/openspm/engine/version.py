"""The engine version, part of every run fingerprint."""

ENGINE_VERSION = "0.1.0"
