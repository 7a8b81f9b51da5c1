// Preload for child processes under test (`node --import <this> ...`): at exit, writes the
// process's active resources (process.getActiveResourcesInfo()) as JSON to the file named by
// QTS_E2E_HANDLES_FILE, so a test can see timers, sockets or servers a one-shot command left
// behind even when it ended with process.exit().
import { writeFileSync } from 'node:fs';

const target = process.env.QTS_E2E_HANDLES_FILE;
if (target) {
  process.on('exit', (code) => {
    writeFileSync(target, JSON.stringify({ code, resources: process.getActiveResourcesInfo() }));
  });
}
