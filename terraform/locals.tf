# Every name, threshold and policy comes from the generated spec (spec.tf.json, written by
# scripts/terraform-spec.ts from infra/): the CLI, the sandbox and this code read one source.
locals {
  # The workspace is the environment: dev, sit or prod. Any other name fails here.
  env     = local.spec.environments[terraform.workspace]
  is_prod = local.env.failover_region != null

  alarms    = { for a in local.spec.alarms[terraform.workspace] : a.name => a }
  dashboard = local.spec.dashboards[terraform.workspace]

  tags = {
    Service     = "order-lambda"
    Environment = local.env.name
    ManagedBy   = "terraform"
    Plan        = "PROM-ORDER-002"
  }
}
