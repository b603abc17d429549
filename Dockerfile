# Loa — production image: slim, non-root, `loa run` as entrypoint, health-checked.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    LOA_WEB_HOST=0.0.0.0 LOA_WEB_PORT=8080 LOA_DATABASE_URL=sqlite+aiosqlite:////data/loa.db

RUN useradd --create-home --uid 10001 loa && mkdir /data && chown loa /data
WORKDIR /app
COPY pyproject.toml constraints.txt README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY models ./models
COPY broadcasts ./broadcasts
COPY migrations ./migrations
COPY data ./data
# sandbox/ (the Bot API stand-in: tests, demo, benchmarks) stays out; here `loa demo` says so.
# Editable install keeps data/ (the sample ward, procedure catalog) beside the code.
RUN pip install -c constraints.txt -e . && python -m bot.i18n_compile

USER loa
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('LOA_WEB_PORT', '8080'), timeout=4)"
ENTRYPOINT ["loa"]
CMD ["run"]
