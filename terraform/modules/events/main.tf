# Events: the DLQ order-dlq-<env>, the bus and rule order-events-<env> with its target
# (retry policy, DLQ), an archive for replay, the SNS topics, and — in PROD — delivery of
# the bus's events to the failover region's bus.

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

variable "function_alias_arn" {
  description = "ARN of order-handler-<env>:live, the rule's target"
  type        = string
}

variable "function_name" {
  type = string
}

variable "dlq_retention_seconds" {
  type = number
}

variable "archive_retention_days" {
  type = number
}

variable "failover_bus_arn" {
  description = "PROD: the failover region's bus, which receives a copy of every event"
  type        = string
  default     = null
}

resource "aws_sqs_queue" "dlq" {
  name                      = var.env.dlq
  message_retention_seconds = var.dlq_retention_seconds
  sqs_managed_sse_enabled   = true

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_cloudwatch_event_bus" "orders" {
  name = var.env.event_bus
}

# Upstream events the service handles (payment.*, shipment.delivered); its own order.*
# events (source bbws.orders) are for downstream consumers, not for itself.
resource "aws_cloudwatch_event_rule" "orders" {
  name           = var.env.event_rule
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  state          = "ENABLED"
  event_pattern = jsonencode({
    "detail-type" = ["payment.succeeded", "payment.failed", "shipment.delivered"]
  })
}

resource "aws_cloudwatch_event_target" "function" {
  rule           = aws_cloudwatch_event_rule.orders.name
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  target_id      = "order-handler"
  arn            = var.function_alias_arn

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 8
  }

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }
}

resource "aws_lambda_permission" "events" {
  statement_id  = "AllowEventBridge"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  qualifier     = element(split(":", var.function_alias_arn), length(split(":", var.function_alias_arn)) - 1)
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.orders.arn
}

data "aws_iam_policy_document" "dlq" {
  statement {
    sid       = "EventBridgeDeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dlq.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.orders.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "dlq" {
  queue_url = aws_sqs_queue.dlq.id
  policy    = data.aws_iam_policy_document.dlq.json
}

resource "aws_cloudwatch_event_archive" "orders" {
  name             = "${var.env.event_bus}-archive"
  event_source_arn = aws_cloudwatch_event_bus.orders.arn
  retention_days   = var.archive_retention_days
}

resource "aws_sns_topic" "notifications" {
  name              = var.env.notification_topic
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic" "alarms" {
  name              = var.env.alarm_topic
  kms_master_key_id = "alias/aws/sns"
}

# --- PROD: cross-region delivery to the failover bus ---------------------------------------

resource "aws_cloudwatch_event_rule" "to_failover" {
  count          = var.failover_bus_arn == null ? 0 : 1
  name           = "${var.env.event_rule}-to-failover"
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  state          = "ENABLED"
  event_pattern = jsonencode({
    "detail-type" = ["payment.succeeded", "payment.failed", "shipment.delivered"]
  })
}

data "aws_iam_policy_document" "events_trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "to_failover" {
  count              = var.failover_bus_arn == null ? 0 : 1
  name               = "${var.env.event_bus}-to-failover"
  assume_role_policy = data.aws_iam_policy_document.events_trust.json
}

resource "aws_iam_role_policy" "to_failover" {
  count = var.failover_bus_arn == null ? 0 : 1
  name  = "put-events-failover-bus"
  role  = aws_iam_role.to_failover[0].id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["events:PutEvents"]
      Resource = [var.failover_bus_arn]
    }]
  })
}

resource "aws_cloudwatch_event_target" "to_failover" {
  count          = var.failover_bus_arn == null ? 0 : 1
  rule           = aws_cloudwatch_event_rule.to_failover[0].name
  event_bus_name = aws_cloudwatch_event_bus.orders.name
  target_id      = "failover-bus"
  arn            = var.failover_bus_arn
  role_arn       = aws_iam_role.to_failover[0].arn

  dead_letter_config {
    arn = aws_sqs_queue.dlq.arn
  }
}

output "dlq_arn" {
  value = aws_sqs_queue.dlq.arn
}

output "dlq_url" {
  value = aws_sqs_queue.dlq.id
}

output "bus_arn" {
  value = aws_cloudwatch_event_bus.orders.arn
}

output "bus_name" {
  value = aws_cloudwatch_event_bus.orders.name
}

output "alarm_topic_arn" {
  value = aws_sns_topic.alarms.arn
}
