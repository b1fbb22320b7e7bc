"""The domain: layer catalogue, workspace, readiness, restoration and reports."""
