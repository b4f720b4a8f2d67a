"""The write kernel: every change to an annotation layer goes through here."""
