# syncd daemon image: slim Python, non-root, state on a volume, health from `syncd health`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    SYNCD_STATE__PATH=/var/lib/syncd/state.db \
    SYNCD_LOG__FORMAT=json

WORKDIR /opt/syncd
COPY pyproject.toml README.md ./
COPY syncd ./syncd
RUN pip install . \
 && useradd --system --uid 10001 --home-dir /var/lib/syncd --shell /usr/sbin/nologin syncd \
 && mkdir -p /var/lib/syncd /etc/syncd \
 && chown syncd:syncd /var/lib/syncd

USER syncd
VOLUME ["/var/lib/syncd"]
# Mount your config at /etc/syncd/syncd.toml and pass secrets as SYNCD_<SECTION>__<KEY> variables
# or a secrets file (SYNCD_SECRETS_FILE).
ENV SYNCD_CONFIG=/etc/syncd/syncd.toml

HEALTHCHECK --interval=60s --timeout=10s --start-period=5m --retries=3 CMD ["syncd", "health"]
ENTRYPOINT ["syncd"]
CMD ["run"]
