// Runs every browser journey in scripts/browser/journeys/ (EUPL-1.2) against one
// `keten serve --demo`, in Debian's Chromium. Each journey file exports a default
// async function ({ keten, browser, report }) and may export `name`.
// Exits 1 on any finding. `node scripts/browser/run.mjs desk` runs only the
// journeys whose file name contains "desk".

import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Report, launchBrowser, startKeten } from "./harness.mjs";

const here = dirname(fileURLToPath(import.meta.url));

async function main() {
  const only = process.argv[2] || "";
  const files = readdirSync(join(here, "journeys"))
    .filter((f) => f.endsWith(".mjs") && f.includes(only))
    .sort();
  const report = new Report();
  const keten = await startKeten();
  let browser;
  try {
    browser = await launchBrowser();
    for (const file of files) {
      const journey = await import(pathToFileURL(join(here, "journeys", file)));
      console.log(`\n## ${journey.name || file}`);
      try {
        await journey.default({ keten, browser, report });
      } catch (e) {
        report.fail(`${file} stopped`, e.stack || String(e));
      }
    }
  } finally {
    if (browser) await browser.close();
    keten.stop();
  }
  if (report.failures > 0) {
    console.log(`\nbrowser checks: ${report.failures} finding(s)`);
    if (keten.log().trim()) console.log(`keten's log:\n${keten.log().slice(-2000)}`);
    process.exit(1);
  }
  console.log(`\nbrowser checks: ${files.length} journey file(s), no WCAG 2.x A/AA violations found by axe-core, no sideways scrolling at 320 px or at 200% zoom`);
}

main().catch((e) => {
  console.error(`browser checks could not run: ${e.stack || e}`);
  process.exit(2);
});
