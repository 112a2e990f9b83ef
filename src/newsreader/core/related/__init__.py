"""Related stories: what a reader would want next, each with the reason it is shown."""
