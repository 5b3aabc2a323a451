"""opskit deploy: build, push, Terraform apply, verify, roll back."""
