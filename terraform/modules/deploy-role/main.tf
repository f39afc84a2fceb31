# order-lambda-deploy-<env>: the role the promote CLI assumes — from GitHub Actions through
# OIDC (only this repository's jobs in the GitHub environment of the same name), or from the
# management account's operators. Its policy is infra/iam-policies.ts's deployRolePolicy.

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

variable "policy_json" {
  type = string
}

variable "github_repository" {
  type = string
}

variable "create_github_oidc_provider" {
  type = bool
}

variable "management_account_id" {
  type    = string
  default = null
}

resource "aws_iam_openid_connect_provider" "github" {
  count           = var.create_github_oidc_provider ? 1 : 0
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}

data "aws_caller_identity" "current" {}

locals {
  github_provider_arn = var.create_github_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubActions"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.github_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    # Only jobs bound to the GitHub environment of the same name (with its protection rules).
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:${var.github_repository}:environment:${var.env.name}"]
    }
  }

  dynamic "statement" {
    for_each = var.management_account_id == null ? [] : [var.management_account_id]
    content {
      sid     = "Operators"
      actions = ["sts:AssumeRole"]
      principals {
        type        = "AWS"
        identifiers = ["arn:aws:iam::${statement.value}:root"]
      }
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = var.env.deploy_role_name
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "deploy" {
  name   = "promote"
  role   = aws_iam_role.deploy.id
  policy = var.policy_json
}

variable "gate_reader" {
  description = "Policy and trust of the read-only role over this env's state table (SIT only: PROD reads Gate 4)"
  type        = object({ policy = string, trust = string })
  default     = null
}

resource "aws_iam_role" "gate_reader" {
  count                = var.gate_reader == null ? 0 : 1
  name                 = var.env.gate_reader_role_name
  assume_role_policy   = var.gate_reader.trust
  max_session_duration = 3600
}

resource "aws_iam_role_policy" "gate_reader" {
  count  = var.gate_reader == null ? 0 : 1
  name   = "read-signoffs"
  role   = aws_iam_role.gate_reader[0].id
  policy = var.gate_reader.policy
}

output "role_arn" {
  value = aws_iam_role.deploy.arn
}
