# promote-guardian-<env>: the canary guardian (guardian/, infra/guardian.ts). Every minute
# it looks at alias `live` of order-handler-<env>; while the alias carries canary weights
# and the promote run that shifted them stopped beating in the state table (or a plan
# alarm fired), it puts the run's stable version back and records why. Server-side, so a
# laptop or CI runner that dies mid-bake does not leave PROD at 10% or 50%.
#
# Unlike order-handler-<env>, terraform owns this function's code: the package is built
# by `npm ci` (scripts/build-guardian.ts → dist/guardian/guardian.zip) and redeployed
# whenever its hash changes.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}


variable "env" {
  type = any
}

variable "guardian" {
  description = "The guardian's names, schedule, sizing, environment and policies (generated spec)"
  type        = any
}

variable "package_path" {
  description = "The guardian's deployment package (dist/guardian/guardian.zip)"
  type        = string
}

variable "log_retention_days" {
  type = number
}

data "aws_region" "current" {}

locals {
  region = data.aws_region.current.name
  # IAM is global: a guardian outside the primary region gets a role of its own.
  role_name = local.region == var.env.region ? var.guardian.role_name : "${var.guardian.role_name}-${local.region}"
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "guardian" {
  name               = local.role_name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

# Least privilege (infra/guardian.ts): GetAlias/UpdateAlias of order-handler-<env>'s
# `live`, GetItem/PutItem/UpdateItem on promote-state-<env>, DescribeAlarms, its own logs.
resource "aws_iam_role_policy" "guardian" {
  name   = "promote-guardian"
  role   = aws_iam_role.guardian.id
  policy = var.guardian.policies[local.region]
}

resource "aws_iam_role_policy_attachment" "xray" {
  role       = aws_iam_role.guardian.name
  policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_cloudwatch_log_group" "guardian" {
  name              = var.guardian.log_group
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "guardian" {
  function_name = var.guardian.function_name
  description   = "canary guardian: restores the stable version when a canary is left alone"
  role          = aws_iam_role.guardian.arn
  runtime       = "nodejs20.x"
  handler       = "index.handler"
  architectures = ["arm64"]
  memory_size   = var.guardian.memory_mb
  timeout       = var.guardian.timeout_seconds
  # One at a time: two guardians would only race each other for the same alias.
  reserved_concurrent_executions = var.guardian.reserved_concurrency
  filename                       = var.package_path
  source_code_hash               = filebase64sha256(var.package_path)

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.guardian.name
  }

  environment {
    variables = var.guardian.environment
  }
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = var.guardian.rule_name
  description         = "invokes ${var.guardian.function_name} (canary guardian)"
  schedule_expression = var.guardian.schedule
  state               = "ENABLED"
}

resource "aws_cloudwatch_event_target" "guardian" {
  rule      = aws_cloudwatch_event_rule.schedule.name
  target_id = "guardian"
  arn       = aws_lambda_function.guardian.arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "schedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.guardian.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}

output "function_name" {
  value = aws_lambda_function.guardian.function_name
}

output "rule_arn" {
  value = aws_cloudwatch_event_rule.schedule.arn
}
