# promote-state-<env>: the promote CLI's lock and run journals (infra/state-table.ts). In
# PROD a global table with a replica in the failover region, so a run can be resumed, rolled
# back or failed over from there when the primary region is lost.

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

variable "state_table" {
  description = "Key schema of the state table (generated spec)"
  type        = any
}

resource "aws_dynamodb_table" "state" {
  name         = var.env.state_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = var.state_table.hash_key
  range_key    = var.state_table.range_key

  dynamic "attribute" {
    for_each = var.state_table.attributes
    content {
      name = attribute.value.name
      type = attribute.value.type
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
  stream_enabled   = var.env.failover_region != null
  stream_view_type = var.env.failover_region != null ? "NEW_AND_OLD_IMAGES" : null

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

# promote-evidence-<env>-<account>: run reports and checklist evidence, versioned, so the
# evidence of a sign-off outlives the laptop or runner that produced it.
resource "aws_s3_bucket" "evidence" {
  bucket = var.env.evidence_bucket

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "evidence" {
  bucket = aws_s3_bucket.evidence.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "evidence" {
  bucket = aws_s3_bucket.evidence.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_public_access_block" "evidence" {
  bucket                  = aws_s3_bucket.evidence.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

output "evidence_bucket" {
  value = aws_s3_bucket.evidence.bucket
}

output "table_name" {
  value = aws_dynamodb_table.state.name
}
