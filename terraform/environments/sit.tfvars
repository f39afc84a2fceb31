github_repository     = "bbws/order-lambda"
hosted_zone_id        = "Z0SITKIMMYAI000000000"
cognito_user_pool_arn = "arn:aws:cognito-idp:eu-west-1:815856636111:userpool/eu-west-1_sitpool00"
reserved_concurrency  = 50
log_retention_days    = 30
backup_retention_days = 14
