# The plan's 8 alarms (§ Monitoring & Alerts) with its thresholds → the alarms topic, and the
# dashboard order-lambda-<env>-dashboard — both straight from the generated spec.

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

variable "alarms" {
  description = "Alarm name → the spec's alarm (threshold, period, metrics, expression)"
  type        = any
}

variable "dashboard_body" {
  type = string
}

variable "alarm_topic_arn" {
  type = string
}

resource "aws_cloudwatch_metric_alarm" "plan" {
  for_each            = var.alarms
  alarm_name          = each.value.name
  alarm_description   = each.value.description
  comparison_operator = "GreaterThanThreshold"
  threshold           = each.value.threshold
  evaluation_periods  = each.value.evaluation_periods
  treat_missing_data  = "notBreaching"
  alarm_actions       = [var.alarm_topic_arn]
  ok_actions          = [var.alarm_topic_arn]

  # A single metric, or metric math over the spec's metrics (error rate = 100 * errors / invocations).
  dynamic "metric_query" {
    for_each = each.value.expression == null ? [] : [each.value.expression]
    content {
      id          = "result"
      expression  = metric_query.value
      label       = each.value.name
      return_data = true
    }
  }

  dynamic "metric_query" {
    for_each = each.value.metrics
    content {
      id          = metric_query.value.id
      return_data = each.value.expression == null
      metric {
        namespace   = metric_query.value.namespace
        metric_name = metric_query.value.metric_name
        dimensions  = metric_query.value.dimensions
        stat        = metric_query.value.stat
        period      = each.value.period
      }
    }
  }
}

resource "aws_cloudwatch_dashboard" "plan" {
  dashboard_name = var.env.dashboard
  dashboard_body = var.dashboard_body
}

output "alarm_names" {
  value = [for a in aws_cloudwatch_metric_alarm.plan : a.alarm_name]
}
