// Time-bound group membership: the Privileged Access Management optional feature (Windows Server 2016+
// forest functional level) lets a `member` value carry a time to live, written `<TTL=seconds,DN>`. The
// DC removes the link itself when it runs out, and caps Kerberos ticket lifetimes at the shortest TTL of
// the account's memberships — so access ends in the directory even if jitd is down.

/** LDAP_SERVER_LINK_TTL_OID: advertised in the rootDSE's supportedControl by DCs that understand TTL links. */
export const LINK_TTL_CONTROL = '1.2.840.113556.1.4.2309';

/** The RDN of the feature's object under CN=Optional Features; listed in msDS-EnabledFeature when enabled. */
export const PAM_FEATURE_RDN = 'CN=Privileged Access Management Feature';

/** Where msDS-EnabledFeature says which forest-wide optional features are on. */
export const partitionsDn = (configurationNamingContext: string): string => `CN=Partitions,${configurationNamingContext}`;

/** What the detection read, and what it concluded. */
export interface TimeBoundSupport {
  readonly available: boolean;
  /** Why (shown in logs and `jitd roles`): which of the two signs was missing. */
  readonly reason: string;
}

/** Concludes from the rootDSE's supportedControl and the partitions container's msDS-EnabledFeature. */
export function judgeTimeBoundSupport(supportedControls: readonly string[], enabledFeatures: readonly string[] | undefined): TimeBoundSupport {
  if (!supportedControls.includes(LINK_TTL_CONTROL)) {
    return { available: false, reason: `the domain controller does not offer the LINK_TTL control (${LINK_TTL_CONTROL})` };
  }
  const enabled = (enabledFeatures ?? []).some((dn) => dn.toUpperCase().startsWith(PAM_FEATURE_RDN.toUpperCase() + ','));
  if (!enabled) return { available: false, reason: 'the Privileged Access Management optional feature is not enabled in this forest' };
  return { available: true, reason: 'the Privileged Access Management optional feature is enabled' };
}

/** Whole seconds from now until `expiresAt`, at least 1 (a TTL of 0 is not a TTL). */
export function ttlSeconds(expiresAt: Date, nowMs: number): number {
  return Math.max(1, Math.ceil((expiresAt.getTime() - nowMs) / 1000));
}

/** The member value that makes the link end after `seconds`. */
export function timeBoundValue(memberDn: string, seconds: number): string {
  return `<TTL=${seconds},${memberDn}>`;
}
