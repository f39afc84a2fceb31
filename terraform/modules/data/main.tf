# The orders data: table orders-<env> (+ its GSIs, PITR, encryption, deletion protection,
# a replica in the failover region for PROD), the idempotency table, the hourly AWS Backup
# plan the promotion plan asks for, and the bucket bbws-orders-<env>.

terraform {
  required_providers {
    aws = {
      source = "hashicorp/aws"
    }
  }
}


variable "env" {
  description = "The environment's facts from the generated spec (local.spec.environments[...])"
  type        = any
}

variable "orders_table" {
  description = "Key schema, attributes and GSIs of the orders table (generated spec)"
  type        = any
}

variable "idempotency_table" {
  type = any
}

variable "backup_retention_days" {
  type = number
}

resource "aws_dynamodb_table" "orders" {
  name         = var.env.table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = var.orders_table.hash_key

  dynamic "attribute" {
    for_each = var.orders_table.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  dynamic "global_secondary_index" {
    for_each = var.orders_table.gsis
    content {
      name            = global_secondary_index.value.name
      hash_key        = global_secondary_index.value.hash_key
      range_key       = global_secondary_index.value.range_key
      projection_type = global_secondary_index.value.projection
    }
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  deletion_protection_enabled = true

  # Global tables (2019.11.21) replicate through streams.
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  dynamic "replica" {
    for_each = var.env.failover_region == null ? [] : [var.env.failover_region]
    content {
      region_name            = replica.value
      point_in_time_recovery = true
      propagate_tags         = true
    }
  }

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_dynamodb_table" "idempotency" {
  name         = var.env.idempotency_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = var.idempotency_table.hash_key

  dynamic "attribute" {
    for_each = var.idempotency_table.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
    }
  }

  # Powertools idempotency records expire after 24 h.
  ttl {
    attribute_name = "expiration"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  deletion_protection_enabled = true

  # The failover region's function keys its idempotency records here too: a global table,
  # so a retry that lands in the other region after a failover is still recognised.
  stream_enabled   = true
  stream_view_type = "NEW_AND_OLD_IMAGES"

  dynamic "replica" {
    for_each = var.env.failover_region == null ? [] : [var.env.failover_region]
    content {
      region_name    = replica.value
      propagate_tags = true
    }
  }

  lifecycle {
    prevent_destroy = true
  }
}

# --- Hourly backups (the plan: "automated hourly backups via AWS Backup") -----------------

resource "aws_kms_key" "backup" {
  description             = "AWS Backup vault of ${var.env.table_name}"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_backup_vault" "orders" {
  name        = var.env.backup_vault
  kms_key_arn = aws_kms_key.backup.arn

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_backup_plan" "hourly" {
  name = var.env.backup_plan

  rule {
    rule_name         = "hourly"
    target_vault_name = aws_backup_vault.orders.name
    schedule          = "cron(0 * * * ? *)"

    lifecycle {
      delete_after = var.backup_retention_days
    }
  }
}

data "aws_iam_policy_document" "backup_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["backup.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "backup" {
  name               = "${var.env.table_name}-backup"
  assume_role_policy = data.aws_iam_policy_document.backup_trust.json
}

resource "aws_iam_role_policy_attachment" "backup" {
  role       = aws_iam_role.backup.name
  policy_arn = "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"
}

resource "aws_backup_selection" "orders" {
  name         = var.env.backup_selection
  plan_id      = aws_backup_plan.hourly.id
  iam_role_arn = aws_iam_role.backup.arn
  resources    = [aws_dynamodb_table.orders.arn, aws_dynamodb_table.idempotency.arn]
}

# --- Bucket bbws-orders-<env> -------------------------------------------------------------

resource "aws_s3_bucket" "orders" {
  bucket = var.env.bucket

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "orders" {
  bucket = aws_s3_bucket.orders.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "orders" {
  bucket = aws_s3_bucket.orders.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "orders" {
  bucket                  = aws_s3_bucket.orders.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "orders" {
  bucket = aws_s3_bucket.orders.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

output "table_arn" {
  value = aws_dynamodb_table.orders.arn
}

output "table_name" {
  value = aws_dynamodb_table.orders.name
}

output "idempotency_table_name" {
  value = aws_dynamodb_table.idempotency.name
}

output "bucket" {
  value = aws_s3_bucket.orders.bucket
}
