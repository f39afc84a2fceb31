github_repository     = "bbws/order-lambda"
hosted_zone_id        = "Z0PRODKIMMYAI00000000"
cognito_user_pool_arn = "arn:aws:cognito-idp:af-south-1:093646564004:userpool/af-south-1_prodpool0"
# The plan's 200 req/s at ~150 ms per request needs ~30 concurrent executions; room for 10x.
reserved_concurrency  = 300
log_retention_days    = 90
backup_retention_days = 35
