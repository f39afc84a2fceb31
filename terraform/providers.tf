# allowed_account_ids: terraform refuses to touch any account but the environment's own —
# the same check the CLI's preflight makes before its first call.
provider "aws" {
  region              = local.env.region
  allowed_account_ids = [local.env.account]

  default_tags {
    tags = local.tags
  }
}

# PROD's failover region (eu-west-1); in dev and sit it points at the primary region and
# nothing uses it.
provider "aws" {
  alias               = "failover"
  region              = coalesce(local.env.failover_region, local.env.region)
  allowed_account_ids = [local.env.account]

  default_tags {
    tags = local.tags
  }
}
