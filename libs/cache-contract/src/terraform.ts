/**
 * The oldest Terraform CLI that can apply the stacks: service secrets are written with a write-only
 * argument (`secret_string_wo`), which Terraform understands from 1.11 on. An older CLI fails on it,
 * so every stack declares it (`required_version`) and the tools check the CLI before they run it.
 */
export const MINIMUM_TERRAFORM_VERSION = '1.11';

/** `terraform { required_version }` of every stack. */
export const TERRAFORM_REQUIRED_VERSION = `>= ${MINIMUM_TERRAFORM_VERSION}`;
