// Signing in (issues 18 and 20): each role lands where its work is, with and without
// JavaScript; a hostile `next` is not followed; the admin's user management page passes axe.
import { giveCode, newContext } from "../harness.mjs";

export const name = "sign-in: each role lands where its work is";

const LANDINGS = [
  ["staff", "/balie"],
  ["coordinator", "/balie"],
  ["partner", "/doorverwijzingen"],
  // The steering page is built elsewhere; only the landing address is checked here.
  ["steering", "/regie", { axe: false }],
  ["admin", "/beheer"],
];

async function signInWithNext(page, base, user, next) {
  await page.goto(`${base}/aanmelden?next=${encodeURIComponent(next)}`);
  await page.fill("input[name=email]", user.email);
  await page.fill("input[name=password]", user.password);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/aanmelden'] button[type=submit]")]);
  await giveCode(page, user);
  return new URL(page.url());
}

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  for (const javaScriptEnabled of [true, false]) {
    const js = javaScriptEnabled ? "" : ", no JavaScript";
    for (const [role, path, options = {}] of LANDINGS) {
      const context = await newContext(browser, { javaScriptEnabled });
      const page = await context.newPage();
      const landed = await signInWithNext(page, base, keten.user(role), "");
      // A member of one help point goes on from /balie to that help point's desk.
      const there = landed.pathname === path || landed.pathname.startsWith(`${path}/`);
      report.expect(there, `${role} lands on ${path}${js}`, `landed on ${landed.pathname}`);
      // axe runs as a script, so only with JavaScript on; without it the landing address is what counts.
      if (javaScriptEnabled && options.axe !== false && there) await report.check(page, `${role}'s landing page`);
      await context.close();
    }
  }
  // A crafted `next` (a tab makes browsers read /\t/evil as //evil) stays on this site.
  const context = await newContext(browser);
  const page = await context.newPage();
  const landed = await signInWithNext(page, base, keten.user("admin"), "/\t/evil.example/");
  report.expect(landed.origin === base && landed.pathname === "/beheer", "a crafted next is not followed", landed.href);
  await page.click("a[href='/beheer/gebruikers']");
  await page.waitForLoadState("load");
  await report.check(page, "user management");
  await context.close();
  // User management on a 320 px phone.
  const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const small = await phone.newPage();
  await signInWithNext(small, base, keten.user("admin"), "/beheer/gebruikers");
  await report.reflow(small, `${base}/beheer/gebruikers`, "user management");
  await phone.close();
}
