/** Runs the command line's main() in-process, capturing what it writes (tests pass main in, so mocks apply). */
export type Main = (argv: string[], io: { out: (s: string) => void; err: (s: string) => void; tty: boolean }) => Promise<number>;

export async function runMain(main: Main, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '', stderr = '';
  const status = await main(args, { out: (s) => { stdout += s; }, err: (s) => { stderr += s; }, tty: false });
  return { status, stdout, stderr };
}
