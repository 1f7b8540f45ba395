#!/bin/sh
# minio-init (docker-compose.yaml), one-shot and idempotent: the buckets, and one MinIO user per role
# with a policy of its own. Only this step and MinIO itself hold the root credentials; no Airflow
# service does. The secrets come from .env (deploy/env.example).
#   ug-lake            read/write on the bucket lake (workers, airflow-init, the dag-processor)
#   ug-reports-reader  read-only on lake/utterance-governance/reports/ and on the live version's pointer
#                      and the manifests (published/*/current.json, */manifest.json; never a shard): the
#                      api-server's governance view
#   ug-access-reports  read/write on the bucket access-reports (the access-report writer only)
set -eu
: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${MINIO_LAKE_SECRET:?}"
: "${MINIO_REPORTS_READER_SECRET:?}" "${MINIO_ACCESS_REPORTS_SECRET:?}"
mc alias set ug http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing ug/lake ug/access-reports
cd "$(mktemp -d)"
cat > lake-rw.json <<'JSON'
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:*"], "Resource": ["arn:aws:s3:::lake", "arn:aws:s3:::lake/*"]}]}
JSON
cat > reports-read.json <<'JSON'
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::lake"],
   "Condition": {"StringLike": {"s3:prefix": ["utterance-governance/reports/*"]}}},
  {"Effect": "Allow", "Action": ["s3:GetObject"],
   "Resource": ["arn:aws:s3:::lake/utterance-governance/reports/*",
                "arn:aws:s3:::lake/utterance-governance/published/*/current.json",
                "arn:aws:s3:::lake/utterance-governance/published/*/manifest.json"]}]}
JSON
cat > access-reports-rw.json <<'JSON'
{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:*"],
   "Resource": ["arn:aws:s3:::access-reports", "arn:aws:s3:::access-reports/*"]}]}
JSON
for entry in "ug-lake:lake-rw:$MINIO_LAKE_SECRET" \
             "ug-reports-reader:reports-read:$MINIO_REPORTS_READER_SECRET" \
             "ug-access-reports:access-reports-rw:$MINIO_ACCESS_REPORTS_SECRET"; do
  user=${entry%%:*}; rest=${entry#*:}; policy=${rest%%:*}; secret=${rest#*:}
  mc admin policy create ug "$policy" "$policy.json" >/dev/null
  mc admin user add ug "$user" "$secret" >/dev/null
  mc admin policy attach ug "$policy" --user "$user" >/dev/null 2>&1 || true  # already attached
  echo "minio-init: user $user with policy $policy"
done
