# The image every Airflow component runs: Airflow 3.3 and the project's lock, dags/ and plugins/ mounted.
FROM python:3.11-slim
ENV PIP_NO_CACHE_DIR=1 AIRFLOW_HOME=/opt/airflow PYTHONPATH=/opt/airflow/plugins
RUN pip install uv
COPY requirements/lock.txt /tmp/lock.txt
RUN uv pip install --system -r /tmp/lock.txt
WORKDIR /opt/airflow
