/** The `dyte-recording-kit` command: dispatches to each part's subcommand, loaded only when used. */
import { UsageError } from './cli-kit.ts';
import type { Command } from './cli-kit.ts';

const COMMANDS: Record<string, () => Promise<Command>> = {
  dev: async () => (await import('./dev/command.ts')).devCommand,
  simulator: async () => (await import('./simulator/command.ts')).simulatorCommand,
  proxy: async () => (await import('./proxy/command.ts')).proxyCommand,
  token: async () => (await import('./proxy/command.ts')).tokenCommand,
};

const USAGE = `Usage: dyte-recording-kit <command> [options]

Commands:
%COMMANDS%

Run \`dyte-recording-kit <command> --help\` for a command's options.`;

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const lines = await Promise.all(
      Object.entries(COMMANDS).map(async ([key, load]) => `  ${key.padEnd(10)} ${(await load()).summary}`),
    );
    console.log(USAGE.replace('%COMMANDS%', lines.join('\n')));
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`Unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(', ')}.`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(command.help);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${command.help}`);
      return 2;
    }
    throw error;
  }
}
