output "environment" {
  value = local.env.name
}

output "function_name" {
  value = module.function.function_name
}

output "api_base_url" {
  value = module.api.base_url
}

output "deploy_role_arn" {
  value = module.deploy_role.role_arn
}

output "state_table" {
  value = module.state.table_name
}

output "alarm_names" {
  value = module.monitoring.alarm_names
}
