// Runs Lighthouse (its Node API, default mobile settings) for e2e/lighthouse_test.go: one
// Node process and one Chromium for every run of the test, instead of a `lighthouse` CLI
// process and a Chromium started for each run (about 5 s each on a 2-core machine).
//
// Usage: node lighthouse-runner.mjs <lighthouse package dir>, with CHROME_PATH set.
// It prints "ready" once Chromium runs, then reads one JSON request a line from stdin,
// {"url", "out", "categories", "audits"}, writes the report (the lhr as JSON) to out and prints
// "done" (or "error <message>"). Closing stdin stops Chromium and the process.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';

const lhDir = process.argv[2];
const require = createRequire(lhDir + '/package.json');
const { default: lighthouse } = await import(pathToFileURL(lhDir + '/core/index.js'));
const chromeLauncher = await import(pathToFileURL(require.resolve('chrome-launcher')));

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROME_PATH,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu'],
});
const devtools = `http://127.0.0.1:${chrome.port}/json`;
const pages = async () => (await (await fetch(`${devtools}/list`)).json()).filter(t => t.type === 'page');
const initial = new Set((await pages()).map(t => t.id));
console.log('ready');

try {
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const req = JSON.parse(line);
    try {
      const result = await lighthouse(req.url, {
        port: chrome.port,
        logLevel: 'error',
        onlyCategories: req.categories,
        // Audits of other categories to run as well (Lighthouse takes the union).
        ...(req.audits ? {onlyAudits: req.audits} : {}),
        // The report's page screenshot: not used, 1.5 s a run.
        disableFullPageScreenshot: true,
      });
      writeFileSync(req.out, JSON.stringify(result.lhr));
      // Lighthouse leaves its tab open: close it, so that no page of an earlier run
      // (htmx polls, timers) runs beside the next one.
      for (const t of await pages()) {
        if (!initial.has(t.id)) await fetch(`${devtools}/close/${t.id}`);
      }
      console.log('done');
    } catch (err) {
      console.log('error ' + String(err && err.message || err).replace(/\s+/g, ' '));
    }
  }
} finally {
  await chrome.kill();
}
