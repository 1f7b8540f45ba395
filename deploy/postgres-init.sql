-- The governance store lives in its own database beside Airflow's metadata.
CREATE USER governance WITH PASSWORD 'governance';
CREATE DATABASE governance OWNER governance;
