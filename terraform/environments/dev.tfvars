github_repository     = "bbws/order-lambda"
hosted_zone_id        = "Z0DEVKIMMYAI000000000"
cognito_user_pool_arn = "arn:aws:cognito-idp:eu-west-1:536580886816:userpool/eu-west-1_devpool00"
reserved_concurrency  = 20
log_retention_days    = 14
backup_retention_days = 7
