terraform {
  required_version = ">= 1.6.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }

  # Partial configuration: `terraform init -backend-config=environments/<env>.s3.tfbackend`
  # (the promote CLI's terraform-workspace step does this). State lives in the account it
  # describes, in the bucket and lock table the bootstrap root creates (see README).
  backend "s3" {}
}
