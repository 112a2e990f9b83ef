"""What the window's parts do: reading and subscriptions, each wired to the widgets by the window."""
