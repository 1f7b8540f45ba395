#!/usr/bin/env bash
# PostgreSQL's first start (docker-entrypoint-initdb.d): the governance store gets its own role and
# database beside Airflow's metadata database. The password comes from .env (GOVERNANCE_DB_PASSWORD),
# passed as a psql variable so it is quoted by psql and never echoed.
set -euo pipefail
: "${GOVERNANCE_DB_PASSWORD:?GOVERNANCE_DB_PASSWORD is required (see deploy/env.example)}"
: "${GOVERNANCE_DB_READER_PASSWORD:?GOVERNANCE_DB_READER_PASSWORD is required (see deploy/env.example)}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v governance_password="$GOVERNANCE_DB_PASSWORD" <<'SQL'
CREATE ROLE governance LOGIN PASSWORD :'governance_password';
CREATE DATABASE governance OWNER governance;
SQL
# The api-server's governance view reads the store and writes nothing: a role that can only SELECT,
# on every table the governance role creates (the init step's Alembic migrations, now and later).
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname governance \
  -v reader_password="$GOVERNANCE_DB_READER_PASSWORD" <<'SQL'
CREATE ROLE governance_reader LOGIN PASSWORD :'reader_password';
GRANT CONNECT ON DATABASE governance TO governance_reader;
GRANT USAGE ON SCHEMA public TO governance_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE governance IN SCHEMA public GRANT SELECT ON TABLES TO governance_reader;
SQL
