# Production image of the HSCP partnership indicators pipeline: the official Airflow
# image plus the locked dependencies and the project's code, configuration and
# reference snapshot. Used by every Airflow service in docker-compose.yml.
#
# The base tag must name the same Airflow version as the apache-airflow pin in
# requirements.lock and the project's Python (3.11, see pyproject.toml);
# tests/integration/test_docker_compose.py checks both.
FROM apache/airflow:3.3.2-python3.11

# Commit the image was built from, recorded as a label (the image holds no .git).
#   docker compose --env-file deploy/.env build --build-arg HSCP_REVISION=$(git rev-parse HEAD)
ARG HSCP_REVISION=unknown
LABEL org.opencontainers.image.title="hscp-indicators" \
      org.opencontainers.image.description="Airflow image running the HSCP partnership indicators pipeline" \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.revision="${HSCP_REVISION}"

# Mount points. /data and /output belong to the airflow user so that fresh named
# volumes mounted there inherit that ownership; /extracts is mounted read-only.
USER root
RUN mkdir -p /data /output /extracts \
 && chown airflow:0 /data /output \
 && chmod 0770 /data /output
USER airflow

# The exact locked dependency set, installed as the airflow user as the base image
# expects. Naming apache-airflow at the base image's own version makes pip fail
# instead of silently replacing Airflow should the lock ever pin another one.
COPY requirements.lock /opt/airflow/requirements.lock
RUN pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/airflow/requirements.lock

# Project code and data. transforms.config resolves the repository root as the
# parent of transforms/, so everything sits side by side under /opt/airflow
# (config/pipeline.yml, reference/, dbt_project/, expectations/, dags/).
# Owned by root and not writable by the airflow user: runtime writes go to /data,
# /output and /opt/airflow/logs only.
COPY transforms/ /opt/airflow/transforms/
COPY dbt_project/ /opt/airflow/dbt_project/
COPY expectations/ /opt/airflow/expectations/
COPY config/ /opt/airflow/config/
COPY reference/ /opt/airflow/reference/
COPY dags/ /opt/airflow/dags/

# Bytecode compiled at build time, since the runtime user cannot write next to the code.
USER root
RUN python -m compileall -q /opt/airflow/transforms /opt/airflow/dags
USER airflow

ENV PYTHONPATH=/opt/airflow \
    DBT_SEND_ANONYMOUS_USAGE_STATS=False \
    DO_NOT_TRACK=1
