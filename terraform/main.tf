# order-lambda, one environment per workspace (dev, sit, prod). The promote CLI runs the
# plan's steps around this root: init with the env's backend, select the workspace, plan
# to a file, approval bound to the plan's hash, apply that file.

module "data" {
  source                = "./modules/data"
  env                   = local.env
  orders_table          = local.spec.orders_table
  idempotency_table     = local.spec.idempotency_table
  backup_retention_days = var.backup_retention_days
}

module "state" {
  source      = "./modules/state"
  env         = local.env
  state_table = local.spec.state_table
}

module "events" {
  source                 = "./modules/events"
  env                    = local.env
  function_name          = module.function.function_name
  function_alias_arn     = module.function.alias_arn
  dlq_retention_seconds  = var.dlq_retention_seconds
  archive_retention_days = var.event_archive_retention_days
  failover_bus_arn       = local.is_prod ? module.events_failover[0].bus_arn : null
}

locals {
  function_environment = {
    TABLE_NAME                   = module.data.table_name
    IDEMPOTENCY_TABLE_NAME       = module.data.idempotency_table_name
    EVENT_BUS_NAME               = local.env.event_bus
    DLQ_URL                      = "https://sqs.${local.env.region}.amazonaws.com/${local.env.account}/${local.env.dlq}"
    ENVIRONMENT                  = local.env.name
    POWERTOOLS_SERVICE_NAME      = "order-service"
    POWERTOOLS_METRICS_NAMESPACE = "OrderService"
    PAGINATION_TOKEN_SECRET      = var.pagination_token_secret
  }
}

module "function" {
  source                = "./modules/function"
  env                   = local.env
  execution_policy_json = local.spec.execution_policies[terraform.workspace]
  environment           = local.function_environment
  memory_mb             = var.lambda_memory_mb
  timeout_seconds       = var.lambda_timeout_seconds
  reserved_concurrency  = var.reserved_concurrency
  log_retention_days    = var.log_retention_days
}

module "api" {
  source                = "./modules/api"
  env                   = local.env
  function_name         = module.function.function_name
  alias_name            = local.env.alias
  alias_invoke_arn      = module.function.alias_invoke_arn
  cognito_user_pool_arn = var.cognito_user_pool_arn
  hosted_zone_id        = var.hosted_zone_id
  routing               = local.is_prod ? "primary" : "simple"
}

module "monitoring" {
  source          = "./modules/monitoring"
  env             = local.env
  alarms          = local.alarms
  dashboard_body  = local.dashboard
  alarm_topic_arn = module.events.alarm_topic_arn
}

module "deploy_role" {
  source                      = "./modules/deploy-role"
  env                         = local.env
  policy_json                 = local.spec.deploy_policies[terraform.workspace]
  github_repository           = var.github_repository
  create_github_oidc_provider = var.create_github_oidc_provider
  management_account_id       = var.management_account_id
  gate_reader                 = lookup(local.spec.gate_readers, terraform.workspace, null)
}

# --- PROD failover region (eu-west-1): the function, its alias and the API ------------------
# The table's replica there is part of module.data (a global table).

module "function_failover" {
  count  = local.is_prod ? 1 : 0
  source = "./modules/function"
  providers = {
    aws = aws.failover
  }
  env                   = merge(local.env, { region = local.env.failover_region })
  execution_policy_json = local.spec.failover_execution_policies[terraform.workspace]
  environment = merge(local.function_environment, {
    DLQ_URL = "https://sqs.${coalesce(local.env.failover_region, local.env.region)}.amazonaws.com/${local.env.account}/${local.env.dlq}"
  })
  memory_mb            = var.lambda_memory_mb
  timeout_seconds      = var.lambda_timeout_seconds
  reserved_concurrency = var.reserved_concurrency
  log_retention_days   = var.log_retention_days
}

module "events_failover" {
  count  = local.is_prod ? 1 : 0
  source = "./modules/events"
  providers = {
    aws = aws.failover
  }
  env                    = local.env
  function_name          = module.function_failover[0].function_name
  function_alias_arn     = module.function_failover[0].alias_arn
  dlq_retention_seconds  = var.dlq_retention_seconds
  archive_retention_days = var.event_archive_retention_days
}

module "api_failover" {
  count  = local.is_prod ? 1 : 0
  source = "./modules/api"
  providers = {
    aws = aws.failover
  }
  env                   = local.env
  function_name         = module.function_failover[0].function_name
  alias_name            = local.env.alias
  alias_invoke_arn      = module.function_failover[0].alias_invoke_arn
  cognito_user_pool_arn = var.cognito_user_pool_arn
  hosted_zone_id        = var.hosted_zone_id
  routing               = "secondary"
}

# --- The canary guardian (guarded environments: PROD) ----------------------------------------
# In the primary region, where `promote prod --canary` shifts traffic. Its heartbeat items are
# keyed by region, so a guardian in the failover region is this block again with
# `providers = { aws = aws.failover }` once the canary shifts there too.

module "guardian" {
  count              = lookup(local.spec.guardians, terraform.workspace, null) == null ? 0 : 1
  source             = "./modules/guardian"
  env                = local.env
  guardian           = lookup(local.spec.guardians, terraform.workspace, null)
  package_path       = "${path.root}/../dist/guardian/guardian.zip"
  log_retention_days = var.log_retention_days
}
