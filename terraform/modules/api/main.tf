# The REST API in front of order-handler-<env>:live: /v1.0/orders (health open, everything
# else behind the Cognito authorizer), a regional custom domain with its ACM certificate,
# the base path mapping and the Route53 record. In PROD, the primary and the failover
# region's APIs answer the same name with failover routing and a health check.

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

variable "function_name" {
  type = string
}

variable "alias_name" {
  type = string
}

variable "alias_invoke_arn" {
  type = string
}

variable "cognito_user_pool_arn" {
  type = string
}

variable "hosted_zone_id" {
  type = string
}

variable "routing" {
  description = "simple (dev, sit), primary or secondary (PROD's two regions)"
  type        = string
  default     = "simple"
  validation {
    condition     = contains(["simple", "primary", "secondary"], var.routing)
    error_message = "routing is simple, primary or secondary"
  }
}

resource "aws_api_gateway_rest_api" "orders" {
  name = "order-api-${var.env.name}"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_authorizer" "cognito" {
  name          = "cognito"
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  type          = "COGNITO_USER_POOLS"
  provider_arns = [var.cognito_user_pool_arn]
}

resource "aws_api_gateway_resource" "version" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_rest_api.orders.root_resource_id
  path_part   = "v1.0"
}

resource "aws_api_gateway_resource" "orders" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_resource.version.id
  path_part   = "orders"
}

resource "aws_api_gateway_resource" "health" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_resource.orders.id
  path_part   = "health"
}

resource "aws_api_gateway_resource" "proxy" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  parent_id   = aws_api_gateway_resource.orders.id
  path_part   = "{proxy+}"
}

locals {
  # resource → authorization: health is open (the plan curls it without a token).
  routes = {
    orders = { id = aws_api_gateway_resource.orders.id, auth = "COGNITO_USER_POOLS", method = "ANY" }
    health = { id = aws_api_gateway_resource.health.id, auth = "NONE", method = "GET" }
    proxy  = { id = aws_api_gateway_resource.proxy.id, auth = "COGNITO_USER_POOLS", method = "ANY" }
  }
}

resource "aws_api_gateway_method" "route" {
  for_each      = local.routes
  rest_api_id   = aws_api_gateway_rest_api.orders.id
  resource_id   = each.value.id
  http_method   = each.value.method
  authorization = each.value.auth
  authorizer_id = each.value.auth == "NONE" ? null : aws_api_gateway_authorizer.cognito.id
}

resource "aws_api_gateway_integration" "route" {
  for_each                = local.routes
  rest_api_id             = aws_api_gateway_rest_api.orders.id
  resource_id             = each.value.id
  http_method             = aws_api_gateway_method.route[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = var.alias_invoke_arn
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = var.function_name
  qualifier     = var.alias_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.orders.execution_arn}/*/*"
}

resource "aws_api_gateway_deployment" "orders" {
  rest_api_id = aws_api_gateway_rest_api.orders.id
  triggers = {
    redeploy = sha1(jsonencode([local.routes, aws_api_gateway_integration.route]))
  }
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_api_gateway_stage" "v1" {
  rest_api_id          = aws_api_gateway_rest_api.orders.id
  deployment_id        = aws_api_gateway_deployment.orders.id
  stage_name           = "v1"
  xray_tracing_enabled = true
}

resource "aws_acm_certificate" "api" {
  domain_name       = var.env.api_domain
  validation_method = "DNS"
  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_route53_record" "validation" {
  for_each = {
    for o in aws_acm_certificate.api.domain_validation_options : o.domain_name => o
  }
  zone_id         = var.hosted_zone_id
  name            = each.value.resource_record_name
  type            = each.value.resource_record_type
  records         = [each.value.resource_record_value]
  ttl             = 300
  allow_overwrite = true
}

resource "aws_acm_certificate_validation" "api" {
  certificate_arn         = aws_acm_certificate.api.arn
  validation_record_fqdns = [for r in aws_route53_record.validation : r.fqdn]
}

resource "aws_api_gateway_domain_name" "api" {
  domain_name              = var.env.api_domain
  regional_certificate_arn = aws_acm_certificate_validation.api.certificate_arn
  security_policy          = "TLS_1_2"
  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

# The plan's URLs are https://<domain>/v1.0/orders: the stage is mapped at the root.
resource "aws_api_gateway_base_path_mapping" "v1" {
  api_id      = aws_api_gateway_rest_api.orders.id
  stage_name  = aws_api_gateway_stage.v1.stage_name
  domain_name = aws_api_gateway_domain_name.api.domain_name
}

resource "aws_route53_health_check" "api" {
  count             = var.routing == "primary" ? 1 : 0
  fqdn              = aws_api_gateway_domain_name.api.regional_domain_name
  type              = "HTTPS"
  port              = 443
  resource_path     = "/v1.0/orders/health"
  failure_threshold = 3
  request_interval  = 30
}

resource "aws_route53_record" "api" {
  zone_id         = var.hosted_zone_id
  name            = var.env.api_domain
  type            = "A"
  set_identifier  = var.routing == "simple" ? null : var.routing
  health_check_id = var.routing == "primary" ? aws_route53_health_check.api[0].id : null

  dynamic "failover_routing_policy" {
    for_each = var.routing == "simple" ? [] : [upper(var.routing)]
    content {
      type = failover_routing_policy.value
    }
  }

  alias {
    name                   = aws_api_gateway_domain_name.api.regional_domain_name
    zone_id                = aws_api_gateway_domain_name.api.regional_zone_id
    evaluate_target_health = true
  }
}

output "base_url" {
  value = "https://${var.env.api_domain}"
}
