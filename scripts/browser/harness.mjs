// Shared harness for keten's browser checks (EUPL-1.2): starts `keten serve --demo`
// on a throw-away SQLite file and a free port, reads the demo users it prints,
// launches Debian's Chromium through playwright-core, and offers the checks every
// page gets (axe-core WCAG 2.x A/AA, no sideways scrolling at 320 px).
//
// Environment: KETEN_BIN (the keten binary), CHROMIUM (default /usr/bin/chromium).

import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";
import { createHmac } from "node:crypto";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axePath = require.resolve("axe-core/axe.min.js");
const keten = process.env.KETEN_BIN || "target/debug/keten";
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
/// Screenshots of journeys, kept as CI artefacts.
export const SCREENSHOT_DIR = join(process.env.CARGO_TARGET_DIR || "target", "browser-screenshots");

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

/// Starts keten with the demo chain. Returns { base, users, log(), stop() };
/// `users` lists the demo accounts as { role, email, password } in the order printed.
export async function startKeten({ questions = 200 } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "keten-browser-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(
    keten,
    ["--database-url", `sqlite://${join(dir, "keten.db")}`, "serve", "--demo", "--demo-questions", String(questions), "--bind", `127.0.0.1:${port}`],
    {
      stdio: ["ignore", "pipe", "pipe"],
      // E-mail goes to a folder, so that a journey can follow a link in it (an event's cancellation link).
      env: { ...process.env, RUST_LOG: "warn", KETEN_SECOND_FACTOR_KEY_FILE: join(dir, "second-factor.key"), KETEN_MAIL_DIR: join(dir, "mail"), KETEN_PUBLIC_URL: base },
    },
  );
  let stdout = "";
  let serverLog = "";
  child.stdout.on("data", (d) => { stdout += d; });
  child.stderr.on("data", (d) => { serverLog += d; });
  await waitUntilReady(base, child);
  const users = [];
  for (const line of stdout.split("\n")) {
    const m = line.match(/^\s+([a-z_]+)\s+(\S+@\S+)\s+(\S+)\s*$/);
    if (m) users.push({ role: m[1], email: m[2], password: m[3] });
  }
  return {
    base,
    users,
    /// The first demo user with this role (and, when given, an e-mail containing `hint`).
    user(role, hint = "") {
      const u = users.find((x) => x.role === role && x.email.includes(hint));
      if (!u) throw new Error(`no demo user with role ${role}${hint ? ` and ${hint}` : ""}`);
      return u;
    },
    log: () => serverLog,
    /// The e-mails sent so far (.eml text, quoted-printable soft line breaks undone), oldest first.
    mails() {
      const folder = join(dir, "mail");
      let names = [];
      try {
        names = readdirSync(folder)
          .filter((f) => f.endsWith(".eml"))
          .map((f) => [statSync(join(folder, f)).mtimeMs, f])
          .sort((a, b) => a[0] - b[0])
          .map(([, f]) => f);
      } catch {
        return [];
      }
      return names.map((f) => readFileSync(join(folder, f), "utf8").replace(/=\r?\n/g, ""));
    },
    stop() {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
}

/// A desktop context; keten's CSP forbids inline scripts and axe is injected as one, so
/// checking contexts bypass CSP. Pass { javaScriptEnabled: false } for a no-JS journey.
export async function newContext(browser, options = {}) {
  return browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true, ...options });
}

export async function axeCheck(page) {
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

/// Elements that stick out to the right of the window (run in a 320 px wide context).
export async function sidewaysScroll(page) {
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

/// Collects findings; `ok`/`fail` print one line each, `axe` prints violations readably.
export class Report {
  constructor() {
    this.failures = 0;
  }
  ok(name) {
    console.log(`ok    ${name}`);
  }
  fail(name, detail = "") {
    this.failures += 1;
    console.log(`FAIL  ${name}${detail ? `\n        ${detail}` : ""}`);
  }
  expect(condition, name, detail = "") {
    if (condition) this.ok(name);
    else this.fail(name, detail);
  }
  axe(name, violations) {
    if (violations.length === 0) {
      this.ok(name);
      return;
    }
    this.failures += violations.length;
    console.log(`FAIL  ${name}`);
    for (const v of violations) {
      console.log(`      [${v.impact}] ${v.id}: ${v.help}\n      ${v.helpUrl}`);
      for (const n of v.nodes) {
        console.log(`        at ${n.target}\n          ${n.html}\n          ${(n.summary || "").replace(/\n/g, "\n          ")}`);
      }
    }
  }
  /// axe on the page as it is now.
  async check(page, name) {
    this.axe(`${name} (${new URL(page.url()).pathname})`, await axeCheck(page));
  }
  /// No sideways scrolling of the page at `url` in a 320 px wide context, nor at 200% zoom.
  async reflow(phonePage, url, name) {
    await phonePage.goto(url, { waitUntil: "load" });
    const wide = await sidewaysScroll(phonePage);
    if (wide.length === 0) this.ok(`320 px: ${name}`);
    else this.fail(`320 px: ${name} scrolls sideways`, wide.join("\n        "));
    await this.zoom200(phonePage, url, name);
  }
  /// WCAG 1.4.10 at 200% zoom: a 1280 px wide window zoomed to 200% lays out 1280 / 2 = 640 CSS px, which is
  /// what a 640 px viewport with deviceScaleFactor 2 gives (the same layout, rendered at twice the pixels).
  /// A context of its own with the phone page's cookies, so signed-in pages are checked as that user.
  async zoom200(phonePage, url, name) {
    const browser = phonePage.context().browser();
    const storageState = await phonePage.context().storageState();
    const zoomed = await browser.newContext({ storageState, viewport: { width: 640, height: 400 }, deviceScaleFactor: 2 });
    const page = await zoomed.newPage();
    await page.goto(url, { waitUntil: "load" });
    const wide = await sidewaysScroll(page);
    if (wide.length === 0) this.ok(`200% zoom: ${name}`);
    else this.fail(`200% zoom: ${name} scrolls sideways`, wide.join("\n        "));
    await zoomed.close();
  }
}

/// The demo's authenticator secret for the roles that need a second factor (printed by `keten serve --demo`,
/// in README; keten_core::second_factor::DEMO_SECRET).
export const DEMO_SECRET = "KETENDEMOKETENDEMOKETENDEMOKETEN";

function base32Decode(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/// RFC 6238: HMAC-SHA1 over the 30 s step counter, dynamic truncation, six digits.
export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(number).padStart(6, "0");
}

/// The last step used per account: keten accepts each code once, so a second sign-in within 30 s takes the
/// next step (keten allows one either side) or waits for it.
const usedSteps = new Map();

/// A code for `user` that keten has not accepted yet. The step before the current one only while more than 10 s
/// of the current step remain: keten checks the code a moment later, and on a busy machine a code of the past
/// step could be two steps old by then (the likely cause of a CI run whose steering sign-in did not get through).
export async function nextCode(user, secret = DEMO_SECRET) {
  for (;;) {
    const seconds = Date.now() / 1000;
    const now = Math.floor(seconds / 30);
    const left = 30 - (seconds % 30);
    const last = usedSteps.get(user.email) ?? 0;
    const steps = left > 10 ? [now - 1, now, now + 1] : [now, now + 1];
    const step = steps.find((s) => s > last);
    if (step !== undefined) {
      usedSteps.set(user.email, step);
      return totp(secret, step);
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/// When the sign-in asks for a code (steering, programme_manager, admin), gives one from the demo secret.
export async function giveCode(page, user) {
  if (!new URL(page.url()).pathname.startsWith("/aanmelden/code")) return;
  await page.fill("input[name=code]", await nextCode(user));
  await Promise.all([page.waitForNavigation(), page.click("form[action='/aanmelden/code'] button[type=submit]")]);
}

/// Signs in through the form (with a code where the role needs one) and returns the page it lands on.
export async function signIn(page, base, user) {
  await page.goto(`${base}/aanmelden`);
  await page.fill("input[name=email]", user.email);
  await page.fill("input[name=password]", user.password);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/aanmelden'] button[type=submit]")]);
  await giveCode(page, user);
  return page.url();
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
