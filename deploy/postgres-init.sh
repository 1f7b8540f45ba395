#!/usr/bin/env bash
# PostgreSQL's first start (docker-entrypoint-initdb.d): the governance store gets its own role and
# database beside Airflow's metadata database. The password comes from .env (GOVERNANCE_DB_PASSWORD),
# passed as a psql variable so it is quoted by psql and never echoed.
set -euo pipefail
: "${GOVERNANCE_DB_PASSWORD:?GOVERNANCE_DB_PASSWORD is required (see deploy/env.example)}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v governance_password="$GOVERNANCE_DB_PASSWORD" <<'SQL'
CREATE ROLE governance LOGIN PASSWORD :'governance_password';
CREATE DATABASE governance OWNER governance;
SQL
