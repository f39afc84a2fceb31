variable "github_repository" {
  description = "owner/name of the repository whose GitHub Actions may assume the deploy role (OIDC)"
  type        = string
}

variable "create_github_oidc_provider" {
  description = "Create the account's token.actions.githubusercontent.com OIDC provider (once per account)"
  type        = bool
  default     = true
}

variable "management_account_id" {
  description = "Account whose operators may assume the deploy role (SSO); null for none"
  type        = string
  default     = null
}

variable "hosted_zone_id" {
  description = "Route53 hosted zone of the API domain (kimmyai.io)"
  type        = string
}

variable "cognito_user_pool_arn" {
  description = "User pool the API's authorizer trusts"
  type        = string
}

variable "lambda_memory_mb" {
  type    = number
  default = 512
}

variable "lambda_timeout_seconds" {
  type    = number
  default = 29
}

variable "reserved_concurrency" {
  description = "Reserved concurrency of order-handler-<env> (the plan's 200 req/s needs headroom in PROD)"
  type        = number
}

variable "log_retention_days" {
  type = number
}

variable "dlq_retention_seconds" {
  description = "How long a failed event waits in the DLQ for redrive (max 14 days)"
  type        = number
  default     = 1209600
}

variable "event_archive_retention_days" {
  description = "EventBridge archive retention, for replay"
  type        = number
  default     = 30
}

variable "backup_retention_days" {
  description = "Retention of the hourly AWS Backup recovery points"
  type        = number
}

variable "pagination_token_secret" {
  description = "HMAC key of the API's next_token (>= 16 chars). From the CI secret store: TF_VAR_pagination_token_secret"
  type        = string
  sensitive   = true
  validation {
    condition     = length(var.pagination_token_secret) >= 16
    error_message = "pagination_token_secret needs at least 16 characters"
  }
}
