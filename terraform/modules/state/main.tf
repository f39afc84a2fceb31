# promote-state-<env>: the promote CLI's lock and run journals (infra/state-table.ts).

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

  lifecycle {
    prevent_destroy = true
  }
}

output "table_name" {
  value = aws_dynamodb_table.state.name
}
