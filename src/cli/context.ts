// What every CLI command gets from the global flags: output format and an API client.
import type { Command } from 'commander';
import { ApiClient, resolveClientSettings } from './client.ts';
import { parseOutputFormat, type OutputFormat } from './output.ts';

export interface GlobalFlags {
  server?: string;
  token?: string;
  output: string;
}

export interface CommandContext {
  readonly format: OutputFormat;
  readonly client: ApiClient;
}

export function contextOf(command: Command): CommandContext {
  const flags = command.optsWithGlobals<GlobalFlags>();
  return { format: parseOutputFormat(flags.output), client: new ApiClient(resolveClientSettings(flags)) };
}
