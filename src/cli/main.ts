#!/usr/bin/env node
// The `ffnn` command: each command and option declared once with commander, which gives the help,
// the choices and the checks. Bad arguments end with one line on stderr and exit status 2; bad files
// or failed training with one line and status 1.

import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { relaxedSimdSupported } from '../backends/wasm-module.js';
import { evaluateCommand, exportCommand, importCommand, mnistCsvCommand, predictCommand } from './commands.js';
import { lrFindCommand, trainCommand } from './train.js';
import { UsageError } from './usage.js';

export function program(): Command {
  const ffnn = new Command('ffnn')
    .description('Feed-forward neural networks: train, evaluate and predict from CSV, IDX or the embedded MNIST set.')
    .usage('<command> [options]')
    .helpCommand(false)
    .showSuggestionAfterError(true);
  for (const command of [trainCommand(), lrFindCommand(), evaluateCommand(), predictCommand(), exportCommand(), importCommand(), mnistCsvCommand()]) {
    ffnn.addCommand(command);
  }
  // every command: errors come back to main() as exceptions, which prints them as one line
  const quiet = (c: Command) => {
    c.exitOverride().configureOutput({ writeErr: () => {}, outputError: () => {} });
    c.commands.forEach(quiet);
  };
  quiet(ffnn);
  return ffnn;
}

/** Runs the command line; resolves to the exit status. */
export async function main(argv: string[]): Promise<number> {
  const ffnn = program();
  if (argv.length === 0) {
    process.stdout.write(ffnn.helpInformation());
    return 2;
  }
  try {
    await ffnn.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version') return 0;
      const command = argv.find((a) => ffnn.commands.some((c) => c.name() === a));
      const hint = command ? `see ffnn ${command} --help` : 'see ffnn --help';
      process.stderr.write(`ffnn: ${error.message.replace(/^error: /, '').replace(/\.$/, '')} (${hint})\n`);
      return 2;
    }
    const message = (error as Error).message.replace(/^ffnn: /, '');
    process.stderr.write(`ffnn: ${message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}

// The command owns its process, so it switches on the engine's relaxed SIMD (standard WebAssembly
// that Node 20 keeps behind a flag; newer engines have it on) before any module is compiled: backend
// 'wasm' then runs the fused multiply-add build (bench/RESULTS.md compares them). The library never
// sets engine flags in its user's process. --backend wasm-simd keeps plain SIMD.
if (!relaxedSimdSupported()) setFlagsFromString('--experimental-wasm-relaxed-simd');
process.exitCode = await main(process.argv.slice(2));
