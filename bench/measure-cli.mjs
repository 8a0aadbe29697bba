// Runs the CLI in this process and reports its peak memory (maxRSS) on stderr when it exits,
// so the benchmark measures the real CLI without an external `time` binary.
process.on('exit', () => {
  process.stderr.write(`\nBENCH_MAX_RSS_KB=${process.resourceUsage().maxRSS}\n`);
});
await import('../bin/readiness');
