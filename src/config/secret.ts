// Secrets are never written in the config file itself and never have defaults: they are read from an
// environment variable or a file at start-up.
import { z } from 'zod';

export const secretRefSchema = z.union([z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })], {
  error: 'must be { env: VARIABLE } or { file: /path/to/secret } (secrets are not written in the config file)',
});
export type SecretRef = z.infer<typeof secretRefSchema>;
