// What jitd needs to know about its OpenID Connect provider. The config loader produces this; the CLI
// (device flow), the server (browser sign-in) and the ID token verifier consume it.

export interface OidcSettings {
  /** The provider's Issuer Identifier, e.g. https://login.example.com/realms/corp (discovery starts here). */
  readonly issuer: string;
  /** This jitd component's client at the provider: the public CLI client or the confidential web client. */
  readonly clientId: string;
  /** Only for a confidential client (the server's browser sign-in); sent with client_secret_basic. */
  readonly clientSecret?: string;
  /** The ID token claim holding the caller's groups (a string array, or one string). */
  readonly groupsClaim: string;
  /** The claim shown as the caller's name; e-mail, then `sub`, when it is missing. */
  readonly displayNameClaim: string;
  readonly emailClaim: string;
  /** Scopes requested at sign-in; `openid` is added when missing. */
  readonly scopes: readonly string[];
  /** Allows a plain-http issuer: for loopback tests and the demo only. */
  readonly allowInsecureHttp: boolean;
}
