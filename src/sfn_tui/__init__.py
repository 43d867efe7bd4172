"""sfn-tui: a keyboard-driven terminal dashboard for AWS Step Functions."""

__version__ = "0.1.0"
