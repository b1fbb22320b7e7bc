"""Planning ahead: infrastructure projects, what-if scenarios, supply pipeline, budget plan."""
