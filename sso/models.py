# Sign-in bindings (tenant id, object id -> extension) arrive with the SSO issue.
