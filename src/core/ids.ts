// Branded identifiers: a LeaseId cannot be passed where a RequestId is expected.
declare const brand: unique symbol;
export type Brand<T, Name extends string> = T & { readonly [brand]: Name };

/** A person or service account, as the identity source names it (token principal, OIDC `sub`, directory uid). */
export type PrincipalId = Brand<string, 'PrincipalId'>;
/** The name of a role declared in config, e.g. `domain-admins`. */
export type RoleName = Brand<string, 'RoleName'>;
export type RequestId = Brand<string, 'RequestId'>;
export type LeaseId = Brand<string, 'LeaseId'>;
/** The name of a connector instance declared in config, e.g. `corp-ldap`. */
export type ConnectorName = Brand<string, 'ConnectorName'>;

export const PrincipalId = (value: string): PrincipalId => value as PrincipalId;
export const RoleName = (value: string): RoleName => value as RoleName;
export const RequestId = (value: string): RequestId => value as RequestId;
export const LeaseId = (value: string): LeaseId => value as LeaseId;
export const ConnectorName = (value: string): ConnectorName => value as ConnectorName;
