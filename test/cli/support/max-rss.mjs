// Preloaded into a `dcc` child process by run-dcc-measured.ts: writes the process's peak resident
// set size (kilobytes, from the kernel's accounting) to the file named by DCC_TEST_MAXRSS_FILE at exit.
import { writeFileSync } from 'node:fs';

const file = process.env.DCC_TEST_MAXRSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
