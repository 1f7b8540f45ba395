# The image every Airflow service of docker-compose.yaml runs: Python 3.11 and the project's lock
# (apache-airflow 3.3.2 with Celery and PostgreSQL, GX, pandas, pyarrow, s3fs, ...), dags/ and
# plugins/ copied in (compose mounts the checkout's over them). Runs as uid 50000, like Airflow's image.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    AIRFLOW_HOME=/opt/airflow \
    PYTHONPATH=/opt/airflow/plugins:/opt/airflow/dags

# curl: the api-server's and scheduler's health checks
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/*

COPY requirements/lock.txt /tmp/lock.txt
RUN pip install uv==0.13.9 \
 && uv pip install --system --no-cache -r /tmp/lock.txt \
 && rm /tmp/lock.txt

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
