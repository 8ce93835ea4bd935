// Automated accessibility check of keten's public pages (EUPL-1.2).
//
// Starts `keten serve --demo` on a throw-away SQLite file and a free port, opens
// each page in Debian's Chromium through playwright-core, runs axe-core with the
// WCAG 2.x A and AA rules, and checks at 320 CSS pixels wide that nothing scrolls
// sideways. Exits 1 on any finding, printing each one readably.
//
// Environment: KETEN_BIN (the keten binary), CHROMIUM (default /usr/bin/chromium).

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const keten = process.env.KETEN_BIN || "target/debug/keten";
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilReady(base, child) {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`keten stopped with code ${child.exitCode}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("keten did not become ready within 120 s");
}

async function axeCheck(page) {
  await page.addScriptTag({ path: axePath });
  return page.evaluate(async (tags) => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { runOnly: { type: "tag", values: tags }, resultTypes: ["violations"] });
    // Map markers of help points in one building overlap, so axe finds them too small to tap.
    // WCAG 2.5.8 exempts a target whose function another control on the page offers: each
    // marker's help point is a full-size link in the result list. Only those nodes are dropped.
    const violations = result.violations
      .map((v) => (v.id === "target-size" ? { ...v, nodes: v.nodes.filter((n) => !n.html.includes("leaflet-marker-icon")) } : v))
      .filter((v) => v.nodes.length > 0);
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 160), summary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
}

/// Elements that stick out to the right of a 320 px wide window.
async function sidewaysScroll(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth <= width) return [];
    const out = [];
    for (const el of document.querySelectorAll("body *")) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > width + 1) {
        const name = el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "") + (el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : "");
        out.push(`${name} reaches ${Math.round(r.right)} px`);
      }
    }
    return [`page is ${document.documentElement.scrollWidth} px wide in a ${width} px window`, ...out.slice(0, 8)];
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "keten-a11y-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    keten,
    ["--database-url", `sqlite://${join(dir, "keten.db")}`, "serve", "--demo", "--demo-questions", "200", "--bind", `127.0.0.1:${port}`],
    { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, RUST_LOG: "warn" } },
  );
  let serverLog = "";
  child.stderr.on("data", (d) => { serverLog += d; });
  let browser;
  let failures = 0;
  try {
    await waitUntilReady(base, child);
    const nearest = await (await fetch(`${base}/api/v1/help-points/nearest?place=3011&limit=1`)).json();
    const helpPoint = `/hulppunten/${nearest.results[0].id}`;
    const pages = [
      ["home", "/"],
      ["results for 3011", "/?plaats=3011"],
      ["results for 3011 with a topic", "/?plaats=3011&onderwerp=bankzaken&wanneer=week"],
      ["help point page", helpPoint],
      ["embed page", "/inbedden?gemeente=GM0599&onderwerp=digid&plaats=3011"],
      ["embed code page", "/inbedden/code?gemeente=GM0599"],
      ["English results", "/?plaats=3011&onderwerp=digid&lang=en"],
      ["English help point page", `${helpPoint}?lang=en`],
      ["unknown place", "/?plaats=Roterdam"],
      ["unknown place without suggestions", "/?plaats=Qqqqqq&lang=en"],
      ["nothing within 25 km", "/?plaats=Groningen"],
      ["unknown topic ignored", "/?plaats=3011&onderwerp=onbekend"],
      ["embed list without a place", "/inbedden?gemeente=GM0599&onderwerp=bankzaken"],
      ["embed with an unknown municipality", "/inbedden?gemeente=GM9999"],
      ["page not found", "/hulppunten/onbekend"],
      ["accessibility statement", "/toegankelijkheid"],
      ["sign-in page", "/aanmelden"],
    ];
    browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
    // keten's CSP forbids inline scripts; axe is injected as one, so the test browser ignores CSP.
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const report = (name, violations) => {
      if (violations.length === 0) {
        console.log(`ok    ${name}`);
        return;
      }
      failures += violations.length;
      console.log(`FAIL  ${name}`);
      for (const v of violations) {
        console.log(`      [${v.impact}] ${v.id}: ${v.help}\n      ${v.helpUrl}`);
        for (const n of v.nodes) {
          console.log(`        at ${n.target}\n          ${n.html}\n          ${(n.summary || "").replace(/\n/g, "\n          ")}`);
        }
      }
    };
    for (const [name, path] of pages) {
      await page.goto(base + path, { waitUntil: "load" });
      report(`${name} (${path})`, await axeCheck(page));
    }
    // The report form: refused (empty) and sent.
    await page.goto(base + helpPoint);
    await page.click("form[action$='/melding'] button[type=submit]");
    await page.waitForLoadState("load");
    if ((await page.locator("#melding-fout").count()) !== 1) throw new Error("the empty report was not refused with a message");
    report("report form with an error", await axeCheck(page));
    await page.fill("#melding", "De openingstijden op zaterdag kloppen niet.");
    await page.click("form[action$='/melding'] button[type=submit]");
    await page.waitForLoadState("load");
    if ((await page.locator(".keten-report [role=status]").count()) !== 1) throw new Error("the report was not confirmed");
    report("report sent", await axeCheck(page));

    // A 320 px wide phone: nothing may scroll sideways (WCAG 1.4.10 reflow).
    const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const small = await phone.newPage();
    for (const [name, path] of pages) {
      await small.goto(base + path, { waitUntil: "load" });
      const wide = await sidewaysScroll(small);
      if (wide.length === 0) {
        console.log(`ok    320 px: ${name}`);
      } else {
        failures += 1;
        console.log(`FAIL  320 px: ${name} (${path}) scrolls sideways\n        ${wide.join("\n        ")}`);
      }
    }

    // The hand-out: a list of 10 results, with partners' hours, prints on one A4 page.
    for (const path of ["/?plaats=3011", "/?plaats=3011&lang=en", "/?plaats=3025&onderwerp=apparaten"]) {
      await page.goto(base + path, { waitUntil: "load" });
      const results = await page.locator(".keten-result").count();
      const pdf = await page.pdf({ format: "A4", preferCSSPageSize: true });
      const sheets = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
      if (sheets === 1 && results === 10) {
        console.log(`ok    print: ${path} (${results} results on 1 page)`);
      } else {
        failures += 1;
        console.log(`FAIL  print: ${path} gives ${results} results on ${sheets} pages (want 10 on 1)`);
      }
    }
  } finally {
    if (browser) await browser.close();
    child.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
  if (failures > 0) {
    console.log(`\naccessibility: ${failures} finding(s)`);
    if (serverLog.trim()) console.log(`keten's log:\n${serverLog.slice(-2000)}`);
    process.exit(1);
  }
  console.log("\naccessibility: no WCAG 2.x A/AA violations found by axe-core, no sideways scrolling at 320 px, hand-outs on one page");
}

main().catch((e) => {
  console.error(`a11y check could not run: ${e.stack || e}`);
  process.exit(2);
});
