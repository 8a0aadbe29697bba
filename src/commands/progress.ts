// A spinner on stderr while checks run: only on a TTY, never in CI, so logs and pipes stay clean.
export interface Progress {
  update(progress: { done: number; total: number; running: string[] }): void;
  /** Prints a line without the spinner tearing it. */
  log(print: () => void): void;
  stop(): void;
}

const quiet: Progress = { update: () => {}, log: (print) => print(), stop: () => {} };

export async function startProgress(total: number): Promise<Progress> {
  // A terminal that reports no width (some pseudo-terminals) would make the spinner redraw endlessly.
  if (!process.stderr.isTTY || process.env.CI || total === 0 || (process.stderr.columns ?? 0) < 20) return quiet;
  const { default: ora } = await import('ora');
  // discardStdin: false — ora's default puts stdin (the terminal) in raw mode, so Ctrl-C reaches the process as
  // a byte nobody reads instead of as SIGINT, and the run cannot be stopped. The spinner never touches stdin.
  const spinner = ora({ stream: process.stderr, text: `running ${total} checks`, discardStdin: false }).start();
  return {
    update: ({ done, running }) => {
      const names = running.slice(0, 3).join(', ') + (running.length > 3 ? `, +${running.length - 3}` : '');
      spinner.text = `${done}/${total} done${running.length ? ` — running ${names}` : ''}`;
    },
    log: (print) => {
      spinner.clear();
      print();
      spinner.render();
    },
    stop: () => spinner.stop(),
  };
}
