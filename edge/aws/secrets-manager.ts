// The SDK surface the edge uses, one small module per service. Each is loaded with a dynamic
// import on first use, so a cold start evaluates no SDK code before a request needs it; named
// re-exports (not the package's namespace, which `import('@aws-sdk/…')` would keep whole) let
// the bundler drop every command the edge never sends.
export { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
