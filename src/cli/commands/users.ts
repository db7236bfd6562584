import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { UsersService } from '../../auth/users.service';
import { ROLES, Role } from '../../domain/access';
import { DipError } from '../../domain/errors';
import { cliActor, CliError, EXIT_REFUSED, withApp } from '../app-context';

/** The password of a new user: from a file (`-` = standard input), first line, never from the command line (it would show in `ps`). */
async function passwordFrom(file: string): Promise<string> {
  const text = file === '-' ? await readStdin() : await readFile(file, 'utf8');
  const line = text.split(/\r?\n/)[0] ?? '';
  if (line === '') throw new CliError('the password file is empty', EXIT_REFUSED);
  return line;
}

async function readStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text;
}

/** `dip users create`: the first user of a region (and any other), as the local operator. */
export function registerUsers(program: Command): void {
  const users = program.command('users').description('Users of the HTTP service (agency, hospital, expert)');
  users
    .command('create')
    .description(
      'Create a user: an agency user of a region, a hospital user of a hospital, an expert of an affiliation hospital (audited as the local operator)',
    )
    .requiredOption('--username <name>', '3–64 letters, digits, ".", "_" or "-"')
    .addOption(new Option('--role <role>', 'role').choices(ROLES).makeOptionMandatory())
    .option('--region <region>', "an agency user's 6-digit region")
    .option('--hospital <code>', "a hospital user's hospital, an expert's affiliation")
    .requiredOption('--password-file <file>', 'a file whose first line is the password (12–256 characters); - for standard input')
    .option('--exists-ok', 'a user of that name already there is kept as it is (exit 0), for scripts run again')
    .action(async (o: { username: string; role: Role; region?: string; hospital?: string; passwordFile: string; existsOk?: boolean }) => {
      const password = await passwordFrom(o.passwordFile);
      const u = await withApp((app) =>
        app
          .get(UsersService)
          .create({ username: o.username, password, role: o.role, region: o.region, hospital: o.hospital }, null, cliActor())
          .catch((err: unknown) => {
            if (o.existsOk && err instanceof DipError && err.code === 'username-taken') return null;
            throw err;
          }),
      );
      if (!u) process.stdout.write(`user ${o.username} exists: kept as it is\n`);
      else
        process.stdout.write(`user ${u.username} (${u.role}, region ${u.region}${u.hospital ? `, hospital ${u.hospital}` : ''}) created\n`);
    });
}
