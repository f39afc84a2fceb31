# order-handler-<env> with alias `live`, its execution role (least privilege: the policy
# document of infra/iam-policies.ts), log group with retention, X-Ray, reserved concurrency.
#
# Terraform creates the function and the alias; from then on the promote CLI owns the code,
# the published versions and the alias's version and weights. Terraform ignores those
# attributes, so an apply never undoes a promotion or a rollback.

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

variable "execution_policy_json" {
  description = "The execution role's policy (generated spec)"
  type        = string
}

variable "environment" {
  description = "Function environment variables"
  type        = map(string)
  sensitive   = true
}

variable "memory_mb" {
  type = number
}

variable "timeout_seconds" {
  type = number
}

variable "reserved_concurrency" {
  type = number
}

variable "log_retention_days" {
  type = number
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

data "aws_region" "current" {}

resource "aws_iam_role" "execution" {
  # Regional: PROD has one function per region, each with its own role.
  name               = var.env.failover_region == data.aws_region.current.name ? "${var.env.execution_role_name}-${data.aws_region.current.name}" : var.env.execution_role_name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "execution" {
  name   = "order-handler"
  role   = aws_iam_role.execution.id
  policy = var.execution_policy_json
}

resource "aws_iam_role_policy_attachment" "xray" {
  role       = aws_iam_role.execution.name
  policy_arn = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
}

resource "aws_cloudwatch_log_group" "function" {
  name              = var.env.log_group
  retention_in_days = var.log_retention_days
}

# A placeholder until the first `promote` (index.mjs answering 503 on every route; committed,
# so a plan needs no provider beyond aws).
locals {
  bootstrap_zip = "${path.module}/bootstrap.zip"
}

resource "aws_lambda_function" "this" {
  function_name                  = var.env.function_name
  role                           = aws_iam_role.execution.arn
  runtime                        = "nodejs20.x"
  handler                        = "index.handler"
  architectures                  = ["arm64"]
  memory_size                    = var.memory_mb
  timeout                        = var.timeout_seconds
  reserved_concurrent_executions = var.reserved_concurrency
  filename                       = local.bootstrap_zip
  source_code_hash               = filebase64sha256(local.bootstrap_zip)
  publish                        = true

  tracing_config {
    mode = "Active"
  }

  logging_config {
    log_format = "JSON"
    log_group  = aws_cloudwatch_log_group.function.name
  }

  environment {
    variables = var.environment
  }

  lifecycle {
    # The CLI deploys the code and publishes versions (build once, promote the same bytes).
    ignore_changes = [filename, source_code_hash, publish, s3_bucket, s3_key, s3_object_version]
  }
}

resource "aws_lambda_alias" "live" {
  name             = var.env.alias
  function_name    = aws_lambda_function.this.function_name
  function_version = aws_lambda_function.this.version

  lifecycle {
    # promote and rollback move the alias and its canary weights; an apply must not.
    ignore_changes = [function_version, routing_config]
  }
}

output "function_name" {
  value = aws_lambda_function.this.function_name
}

output "alias_arn" {
  value = aws_lambda_alias.live.arn
}

output "alias_invoke_arn" {
  value = aws_lambda_alias.live.invoke_arn
}
