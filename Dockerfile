# The image every Airflow service of docker-compose.yaml runs: Python 3.11 and the project's runtime
# dependencies exactly as uv.lock pins them (every file hash-checked): apache-airflow 3.3.2 with Celery
# and PostgreSQL, GX, pandas, pyarrow, s3fs, alembic, ... — never the dev group's test tools. dags/ and
# plugins/ are copied in (compose mounts the checkout's over them). Runs as uid 50000, like Airflow's image.

# -- build: the runtime set into /opt/venv (uv, pyproject.toml and uv.lock stay in this stage) ------------
FROM python:3.11-slim-bookworm AS build
ENV UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_COMPILE_BYTECODE=1
# UV_COMPILE_BYTECODE: the venv ships its .pyc files. The image sets PYTHONDONTWRITEBYTECODE, so
# without them every task process would compile Airflow, pandas, GX, ... from source on import.
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /build
COPY pyproject.toml uv.lock ./
# --frozen: uv.lock as committed (never re-resolved); --no-dev: the runtime set only;
# --no-install-project: the code comes from dags/ and plugins/ below (PYTHONPATH)
RUN uv sync --frozen --no-dev --no-install-project --python /usr/local/bin/python3.11

# -- the image -------------------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow \
    PYTHONPATH=/opt/airflow/plugins:/opt/airflow/dags

# curl: the api-server's and scheduler's health checks
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*

COPY --from=build /opt/venv /opt/venv

RUN useradd --uid 50000 --gid 0 --home-dir /opt/airflow --no-create-home airflow \
 && mkdir -p /opt/airflow/dags /opt/airflow/plugins /opt/airflow/logs /opt/airflow/auth \
 && chown -R 50000:0 /opt/airflow \
 && chmod -R g+rwX /opt/airflow
COPY --chown=50000:0 dags/ /opt/airflow/dags/
COPY --chown=50000:0 plugins/ /opt/airflow/plugins/

USER 50000
WORKDIR /opt/airflow
EXPOSE 8080
CMD ["airflow", "version"]
