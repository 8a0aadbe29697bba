// Entry point. Only commander is loaded up front; each command imports what it needs when it runs,
// so `readiness --version` and `--help` start fast.
import { Command, Option } from 'commander';
import { toolVersion } from './paths.js';
import { EXIT, UsageError } from './commands/errors.js';
import { guardStdio, isClosed } from './write.js';

// A closed stdout (`readiness schema | head -1`) ends the output quietly, never the command (see write.ts).
guardStdio();

const collect = (value: string, previous: string[] = []) => [...previous, value];

// SDK notices on stderr would interleave with the report: the AWS SDK warns about Node 20 once per
// process and stripe-node prints Stripe-Notice headers. Neither says anything about the deployment.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.STRIPE_SUPPRESS_NOTICES ??= 'true';

/**
 * `--dotenv <file>` is `--env-file <file>`. Node 20 reads `--env-file` anywhere on its command line, also
 * after the script name, and stops with "node: FILE: not found" (exit 9) before readiness starts when the
 * file is missing; `--dotenv` reaches readiness, which reports the missing file as a usage error (exit 2).
 */
function withDotenvAlias(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.map((arg, i) => {
    if (end !== -1 && i > end) return arg;
    if (arg === '--dotenv') return '--env-file';
    return arg.startsWith('--dotenv=') ? `--env-file=${arg.slice('--dotenv='.length)}` : arg;
  });
}

async function main(argv: string[]): Promise<number> {
  const program = new Command('readiness')
    .description('Is this release ready to go live? Runs a YAML checklist against the real systems of a deployment.')
    .version(toolVersion(), '-V, --version')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text) });

  let exitCode: number = EXIT.ok;
  const profileOption = () => new Option('-p, --profile <file>', 'profile to load').default('readiness.yaml');
  const envFileOption = () =>
    new Option('--env-file <file>', 'dotenv file loaded last, overriding the environment (repeatable; also --dotenv <file>)').argParser(collect);

  program
    .command('check', { isDefault: false })
    .description('run the checks and report; exit 0 when the gate PASSED, 1 when it FAILED or is INCOMPLETE, 130 on Ctrl-C')
    .addOption(profileOption())
    .addOption(envFileOption())
    .option('--only <patterns>', 'run only these: ids, globs (db.*), tag:NAME, type:GLOB, section:GLOB (repeatable, comma-separated)', collect)
    .option('--skip <patterns>', 'do not run these (same patterns as --only)', collect)
    .option('-f, --format <format[:path]>', 'report format, optionally written to a file: pretty, json, junit, markdown, github, tap, html (repeatable)', collect)
    .option('--concurrency <n>', 'checks run at once', '8')
    .option('--timeout <duration>', "per-check timeout, replacing the profile's (e.g. 30s)")
    .option('--deadline <duration>', 'whole-run deadline; unfinished checks end not verified (gate INCOMPLETE) and reports are still written')
    .addOption(new Option('--fail-on <severity>', 'lowest severity whose fail/error fails the gate').choices(['critical', 'recommended', 'optional']).default('critical'))
    .option('--strict', 'warnings also fail the gate')
    .option('--allow-unverified', 'an INCOMPLETE gate (gating checks blocked, not opted in or stopped) exits 0; for exploratory runs, never for a release')
    .option('-v, --verbose', 'show evidence for every check and log what each check does')
    .option('--no-color', 'plain output (also NO_COLOR=1)')
    .option('--debug', 'show stack traces for internal errors')
    .action(async (options) => {
      const { checkCommand } = await import('./commands/check.js');
      exitCode = await checkCommand(options);
    });

  program
    .command('list')
    .description('list the checks of the resolved profile: id, type, severity, section, tags')
    .addOption(profileOption())
    .addOption(envFileOption())
    .option('--json', 'machine-readable output')
    .action(async (options) => {
      const { listCommand } = await import('./commands/list.js');
      exitCode = await listCommand(options);
    });

  program
    .command('explain')
    .description('what a check or check type verifies, its parameters with defaults, and how to fix a failure')
    .argument('[check-id-or-type]', 'a check id from the profile or a check type; omit to list every type')
    .addOption(profileOption())
    .addOption(envFileOption())
    .action(async (target, options) => {
      const { explainCommand } = await import('./commands/explain.js');
      exitCode = await explainCommand(target, options);
    });

  program
    .command('diff')
    .description('compare two JSON reports (readiness check -f json:FILE): regressions (fail, could not check or not verified now), fixes, new and removed checks; exit 1 on a regression at or above --fail-on')
    .argument('<old>', 'the earlier JSON report, e.g. of the last release')
    .argument('<new>', 'the later JSON report')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['pretty', 'markdown', 'json']).default('pretty'))
    .addOption(new Option('--fail-on <severity>', 'lowest severity whose regression exits 1').choices(['critical', 'recommended', 'optional']).default('critical'))
    .option('--strict', 'a check that passed and now warns is a regression too')
    .option('--no-color', 'plain output (also NO_COLOR=1)')
    .action(async (oldPath, newPath, options) => {
      const { diffCommand } = await import('./commands/diff.js');
      exitCode = await diffCommand(oldPath, newPath, options);
    });

  program
    .command('validate')
    .description('load and validate the profile without running anything; exit 0, or 2 with every problem listed')
    .addOption(profileOption())
    .addOption(envFileOption())
    .action(async (options) => {
      const { validateCommand } = await import('./commands/validate.js');
      exitCode = await validateCommand(options);
    });

  program
    .command('init')
    .description('write a starter readiness.yaml (with --template, one that extends a bundled profile, and an .env.example)')
    .addOption(profileOption())
    .addOption(new Option('-t, --template <name>', 'extend a bundled profile: saas (the full SaaS checklist) or minimal; also writes .env.example').choices(['saas', 'minimal']))
    .option('--force', 'overwrite existing files')
    .action(async (options) => {
      const { initCommand } = await import('./commands/init.js');
      exitCode = await initCommand(options);
    });

  program
    .command('attest')
    .description('record that a person confirmed a manual item (who, when, note, expiry); --list shows every manual item and its state')
    .argument('[id]', 'the manual item\'s check id')
    .addOption(profileOption())
    .addOption(envFileOption())
    .option('--by <name>', 'who confirms it')
    .option('--note <text>', 'where the evidence is, or anything worth keeping')
    .option('--expires <when>', 'how long it holds: a duration (90d, 12w) or a last day (YYYY-MM-DD)')
    .option('--list', 'show every manual item with its attestation state')
    .option('--json', 'with --list: machine-readable output')
    .action(async (id, options) => {
      const { attestCommand } = await import('./commands/attest.js');
      exitCode = await attestCommand(id, options);
    });

  program
    .command('signoff')
    .description("sign off a JSON report's findings in one of the profile's sign-off roles (bound to its fingerprint)")
    .requiredOption('--role <role>', 'one of the profile\'s signoff.roles, e.g. "Technical Lead"')
    .requiredOption('--by <name>', 'who signs')
    .requiredOption('--report <file>', 'the JSON report signed (readiness check -f json:FILE)')
    .option('--note <text>', 'a remark kept with the sign-off')
    .addOption(profileOption())
    .addOption(envFileOption())
    .action(async (options) => {
      const { signoffCommand } = await import('./commands/signoff.js');
      exitCode = await signoffCommand(options);
    });

  program
    .command('schema')
    .description('print the JSON Schema of the profile format (with every check type\'s parameters) for editors')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .action(async (options) => {
      const { schemaCommand } = await import('./commands/schema.js');
      exitCode = await schemaCommand(options);
    });

  try {
    await program.parseAsync(withDotenvAlias(argv), { from: 'user' });
    return exitCode;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (!argv.length && code === 'commander.help') {
      // `npx readiness` alone (commander printed the help) runs nothing: a CI step written that way
      // must not pass as if the gate had.
      if (!isClosed(process.stderr)) process.stderr.write('\nreadiness: no command given; to run the checks: readiness check\n');
      return EXIT.usage;
    }
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return EXIT.ok;
    if (code?.startsWith('commander.')) return EXIT.usage; // commander already printed the message
    if (err instanceof UsageError) {
      await printError(`readiness: ${err.message}`);
      return EXIT.usage;
    }
    await printError(`readiness: internal error: ${(err as Error).message}`);
    await printError(argv.includes('--debug') ? String((err as Error).stack) : '(run again with --debug for the stack trace)');
    return EXIT.usage;
  }
}

/** Errors go through the one writer too: an exception's text may carry a connection string or a key. */
async function printError(text: string): Promise<void> {
  const [{ createOutput }, { makeRedactor }] = await Promise.all([import('./write.js'), import('./redact.js')]);
  createOutput(makeRedactor(process.env)).stderr(text);
}

/**
 * Resolves once everything written so far has left the process (a pipe may hold back a large report), or at
 * once when the stream can take no more (its reader closed the pipe): it never hangs or throws on a closed pipe.
 */
function drained(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (!stream.writableLength || isClosed(stream)) return resolve();
    const done = () => {
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.once('close', done);
    stream.once('error', done);
    try {
      stream.write('', done);
    } catch {
      done();
    }
  });
}

main(process.argv.slice(2)).then(
  async (code) => {
    // Exit once output is flushed rather than when the event loop drains: a check that ignored its
    // abort signal, or a pooled keep-alive connection, must not keep a finished run alive.
    await Promise.all([drained(process.stdout), drained(process.stderr)]);
    process.exit(code);
  },
  async (err) => {
    await printError(`readiness: ${(err as Error).message}`);
    process.exitCode = EXIT.usage;
  },
);
