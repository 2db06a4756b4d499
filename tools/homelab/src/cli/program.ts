/**
 * The `homelab` command line: one commander program, every command with its own flags and
 * --help. Commands report through their exit code (`done`); commander's own errors
 * (unknown command or flag, missing argument, bad value) are thrown as CommandLineError.
 * The commands are imported when they run: --help and a mistyped flag answer at once instead
 * of after loading the whole framework.
 */
import { Command, CommanderError, Option } from 'commander';
import { formatExitCodes } from '@homelab/core/exit-codes';
import { defaultRoot, type CommandOptions } from '../commands/context.ts';
import { bootstrapCommandDefinition } from './bootstrap-command.ts';
import { deployCommandDefinition } from './deploy-command.ts';
import { fleetCommands } from './fleet-commands.ts';
import { jsonOption, serviceOption, servicesOf } from './options.ts';

/** Commander rejected the command line; `command` is the command whose --help lists the valid form. */
export class CommandLineError extends Error {
  constructor(readonly commanderError: CommanderError, readonly command: string) {
    super(commanderError.message);
  }
}

interface ServiceOpts { readonly service?: readonly string[]; readonly json?: boolean; readonly dryRun?: boolean }

const ENVIRONMENT = `
environment:
  HOMELAB_SITE            the site module (a path or package name; default libs/site)
  HOMELAB_STATE_DIR       deploy records and locks (default $XDG_STATE_HOME/homelab or ~/.local/state/homelab)
  HOMELAB_VALIDATE_TOOLS  off: schema checks only, no real validators (a warning; an error in CI)
  HOMELAB_VALIDATE_CACHE  off: re-validate unchanged services
  HOMELAB_DEBUG           1: print the stack of an internal error`;

const commands = () => import('../commands/index.ts');

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Every command: commander errors thrown, not process.exit; help and messages through `write`. */
function configureTree(command: Command, write: { out: (s: string) => void; err: (s: string) => void }): void {
  command
    .showSuggestionAfterError(true)
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: write.out, writeErr: write.err, outputError: (text, w) => w(`homelab: ${text.replace(/^error: /, '')}`) })
    .exitOverride((error) => { throw new CommandLineError(error, commandPath(command)); });
  for (const sub of command.commands) configureTree(sub, write);
}

export function buildProgram(done: (code: number) => void, write = { out: (s: string) => { process.stdout.write(s); }, err: (s: string) => { process.stderr.write(s); } }): Command {
  const program = new Command('homelab')
    .description('the homelab as code: synthesize, validate, plan and deploy the services; fleet operations over the Nx graph')
    .addOption(new Option('--root <dir>', 'the homelab repository (default: the nearest folder upward with nx.json)'))
    .addHelpText('after', `\n${formatExitCodes()}\n${ENVIRONMENT}\n\nEach command has its own flags: homelab <command> --help. Reference: docs/cli.md`);
  const context = (command: Command): CommandOptions => {
    const root = command.optsWithGlobals<{ root?: string }>().root;
    return { root: root ?? defaultRoot(process.cwd()), services: [], dryRun: false, json: false, argv: [] };
  };

  program.command('plan')
    .description('synthesize, validate and print the deploy plan: waves, what each service creates, changes since the last deploy, capacity (npm start)')
    .addOption(serviceOption('only this service: its part of the plan, its artifacts validated'))
    .addOption(jsonOption('the plan'))
    .action(async (opts: ServiceOpts, cmd: Command) => done(await (await commands()).validateOrPlan('plan', { ...context(cmd), services: servicesOf(opts), json: opts.json === true })));

  program.command('synth')
    .description('write dist/<service>/ (Terraform JSON, config files, Ansible, manifest) for every service, or the named ones')
    .addOption(serviceOption('only this service'))
    .addOption(new Option('--dry-run', 'synthesize and check; write nothing'))
    .addOption(jsonOption('what was synthesized'))
    .action(async (opts: ServiceOpts, cmd: Command) => done(await (await commands()).synthReport({ ...context(cmd), services: servicesOf(opts), json: opts.json === true, dryRun: opts.dryRun === true })));

  program.command('validate')
    .description('synthesize and check every artifact against its schema and the real offline tools, and every policy rule')
    .addOption(serviceOption('only this service'))
    .addOption(jsonOption('the validation result'))
    .action(async (opts: ServiceOpts, cmd: Command) => done(await (await commands()).validateOrPlan('validate', { ...context(cmd), services: servicesOf(opts), json: opts.json === true })));

  const deploy = deployCommandDefinition(async (flags) => {
    const { deployCommand } = await import('../commands/deploy.ts');
    done(await deployCommand(flags, context(deploy)));
  });
  program.addCommand(deploy);

  program.addCommand(bootstrapCommandDefinition(async (flags, cmd) => {
    const { bootstrapCommand } = await import('../commands/bootstrap.ts');
    done(await bootstrapCommand(flags, context(cmd)));
  }));

  for (const fleet of fleetCommands(async (command, argv) => {
    const cmd = program.commands.find((c) => c.name() === command)!;
    const { defaultFleetDeps, runFleet } = await import('../commands/fleet.ts');
    done(await runFleet(command, { ...context(cmd), argv }, defaultFleetDeps()));
  })) program.addCommand(fleet);

  program.command('assumptions')
    .description('every value the site chose where the design is silent, with the reason')
    .addOption(jsonOption('the assumptions'))
    .action(async (opts: ServiceOpts, cmd: Command) => done(await (await commands()).assumptionsCommand({ ...context(cmd), json: opts.json === true })));

  program.command('rules')
    .description('every policy rule with its codes and what it enforces')
    .addOption(jsonOption('the rules'))
    .action(async (opts: ServiceOpts) => done((await commands()).rulesCommand(opts.json === true)));

  const lab = program.command('lab').description('a lab of LXC containers on this machine that runs part of the site for real (docs/cli.md)');
  lab.command('plan')
    .description('which services the lab deploys, and every reason each of the others cannot run there; writes nothing')
    .addOption(jsonOption('the lab plan'))
    .action(async (opts: ServiceOpts, cmd: Command) => {
      const { labPlanCommand } = await import('../commands/lab.ts');
      done(await labPlanCommand({ ...context(cmd), json: opts.json === true }));
    });

  configureTree(program, write);
  return program;
}
