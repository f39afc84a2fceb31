# Run once per AWS account, before anything else (local state; keep it with the account's
# records): the S3 bucket and DynamoDB lock table every environment's backend uses.
#
#   cd terraform/bootstrap
#   terraform init
#   terraform apply -var account_id=815856636111 -var region=eu-west-1
#
# Then, from terraform/: terraform init -backend-config=environments/<env>.s3.tfbackend

terraform {
  required_version = ">= 1.6.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }
}

variable "account_id" {
  type = string
}

variable "region" {
  type = string
}

provider "aws" {
  region              = var.region
  allowed_account_ids = [var.account_id]
}

resource "aws_s3_bucket" "state" {
  bucket = "bbws-terraform-state-${var.account_id}"

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_dynamodb_table" "locks" {
  name         = "bbws-terraform-locks"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "LockID"

  attribute {
    name = "LockID"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled = true
  }

  deletion_protection_enabled = true

  lifecycle {
    prevent_destroy = true
  }
}

output "backend" {
  value = {
    bucket         = aws_s3_bucket.state.bucket
    dynamodb_table = aws_dynamodb_table.locks.name
    region         = var.region
  }
}
