"""Projects, their members, guidelines and progress."""
