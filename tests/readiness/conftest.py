"""Fixtures of the readiness tests (helpers live in ``tests.readiness.readiness_helpers``)."""

from __future__ import annotations
