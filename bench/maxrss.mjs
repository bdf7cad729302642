// Preloaded with `node --import <this file> ...` when /usr/bin/time is not available:
// prints the process's peak resident set size and CPU time on exit, for bench/run.mjs to read from stderr.
process.on("exit", () => {
  const u = process.resourceUsage();
  const cpuMs = (u.userCPUTime + u.systemCPUTime) / 1000;
  process.stderr.write(`\n[pipegen-bench] maxRSS_kB=${u.maxRSS} cpu_ms=${cpuMs}\n`);
});
