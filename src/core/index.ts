// The pure domain core. Nothing here does I/O or reads a clock.
export * from './audit-event.ts';
export * from './backoff.ts';
export * from './duration.ts';
export * from './errors.ts';
export * from './ids.ts';
export * from './lease.ts';
export * from './open-request.ts';
export * from './policy.ts';
export * from './principal.ts';
export * from './request.ts';
export * from './role.ts';
