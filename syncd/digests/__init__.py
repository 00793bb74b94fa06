"""Digests: route findings to receivers Alertmanager-style and deliver them by email, Teams, Slack, webhook.

    pipeline = build_pipeline(settings.digests, state, clock, http=settings.http)
    report = pipeline.run_pass()        # call every `[digests] every`; sends what is due
"""

from syncd.digests.model import Digest, Row, Section
from syncd.digests.pipeline import DigestPipeline, PassReport, build_pipeline
from syncd.digests.settings import DigestSettings

__all__ = ["Digest", "DigestPipeline", "DigestSettings", "PassReport", "Row", "Section", "build_pipeline"]
