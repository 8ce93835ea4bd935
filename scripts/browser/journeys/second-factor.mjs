// The second factor (issue 18): setting it up (QR code and the secret as text), signing in with a code from
// the app and with a recovery code, a wrong code; axe on each page, the same without JavaScript, 320 px and
// 200% zoom. Uses partners no other journey signs in as (their factor is optional; the required roles'
// set-up is proven by the HTTP tests, and every journey signing in as steering or admin gives codes).
import { newContext, nextCode, screenshot } from "../harness.mjs";

export const name = "second factor: set up, sign in with a code and with a recovery code";

async function submit(page, action) {
  await Promise.all([page.waitForNavigation(), page.click(`form[action='${action}'] button[type=submit]`)]);
}

async function password(page, base, user) {
  await page.goto(`${base}/aanmelden`);
  await page.fill("input[name=email]", user.email);
  await page.fill("input[name=password]", user.password);
  await submit(page, "/aanmelden");
}

/// Sets up the factor from /account/tweede-stap; returns { secret, codes }.
async function enrol(page, base, user, report, label, axe) {
  await page.goto(`${base}/account/tweede-stap`, { waitUntil: "load" });
  report.expect((await page.locator(".keten-qr svg").count()) === 1, `${label}: a QR code on the page`);
  const secret = (await page.locator("code.keten-secret").innerText()).replace(/\s+/g, "");
  report.expect(/^[A-Z2-7]{32}$/.test(secret), `${label}: the secret as text`, secret);
  if (axe) await report.check(page, `${label}: set-up page`);
  await screenshot(page, `second-factor-setup${axe ? "" : "-no-js"}`);
  // A wrong first code first: the page says so and keeps the same secret.
  await page.fill("input[name=code]", "000000");
  await submit(page, "/account/tweede-stap");
  report.expect((await page.locator("#code-error").count()) === 1, `${label}: a wrong first code is refused plainly`);
  if (axe) await report.check(page, `${label}: set-up page with an error`);
  await page.fill("input[name=code]", await nextCode(user, secret));
  await submit(page, "/account/tweede-stap");
  const codes = await page.locator(".keten-recovery-codes code").allInnerTexts();
  report.expect(codes.length === 10, `${label}: ten recovery codes shown once`, String(codes.length));
  if (axe) await report.check(page, `${label}: recovery codes`);
  await screenshot(page, `second-factor-recovery-codes${axe ? "" : "-no-js"}`);
  return { secret, codes };
}

async function signOut(page) {
  await page.goto(page.url().replace(/^(https?:\/\/[^/]+).*$/, "$1/account"), { waitUntil: "load" });
  await submit(page, "/afmelden");
}

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  for (const [javaScriptEnabled, hint] of [[true, "havenstad"], [false, "rijnmond"]]) {
    const label = javaScriptEnabled ? "second factor" : "second factor, no JavaScript";
    const user = keten.user("partner", hint);
    const context = await newContext(browser, { javaScriptEnabled });
    const page = await context.newPage();
    await password(page, base, user);
    const { secret, codes } = await enrol(page, base, user, report, label, javaScriptEnabled);
    await signOut(page);

    // From now on the password alone is not enough: the code page follows.
    await password(page, base, user);
    report.expect(new URL(page.url()).pathname === "/aanmelden/code", `${label}: the code is asked after the password`, page.url());
    if (javaScriptEnabled) await report.check(page, `${label}: code page`);
    await page.fill("input[name=code]", "123456");
    await submit(page, "/aanmelden/code");
    report.expect((await page.locator("#code-error").count()) === 1, `${label}: a wrong code is refused plainly`);
    if (javaScriptEnabled) await report.check(page, `${label}: code page with an error`);
    await page.fill("input[name=code]", await nextCode(user, secret));
    await submit(page, "/aanmelden/code");
    report.expect(new URL(page.url()).pathname === "/doorverwijzingen", `${label}: signed in with a code from the app`, page.url());
    await signOut(page);

    // A recovery code instead of the app, once.
    await password(page, base, user);
    await page.fill("input[name=code]", codes[0]);
    await submit(page, "/aanmelden/code");
    report.expect(new URL(page.url()).pathname === "/doorverwijzingen", `${label}: signed in with a recovery code`, page.url());
    await page.goto(`${base}/account/tweede-stap`, { waitUntil: "load" });
    report.expect((await page.locator("text=nog 9 ongebruikte herstelcodes").count()) === 1, `${label}: nine recovery codes left`);
    if (javaScriptEnabled) await report.check(page, `${label}: second factor on, codes left`);

    if (javaScriptEnabled) {
      // The pages on a phone and at 200% zoom, signed in.
      const phone = await browser.newContext({ viewport: { width: 320, height: 640 }, storageState: await context.storageState() });
      const small = await phone.newPage();
      await report.reflow(small, `${base}/account/tweede-stap`, "second factor status");
      await report.reflow(small, `${base}/account`, "my account");
      await phone.close();
    }
    await context.close();
  }
  // The code page and a set-up page on a phone and at 200% zoom (a fresh partner half-way through signing in).
  const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
  const small = await phone.newPage();
  const user = keten.user("partner", "woonstichting");
  await password(small, base, user);
  await report.reflow(small, `${base}/account/tweede-stap`, "second factor set-up");
  const secret = (await small.locator("code.keten-secret").innerText()).replace(/\s+/g, "");
  await small.fill("input[name=code]", await nextCode(user, secret));
  await submit(small, "/account/tweede-stap");
  const onward = await small.locator(".keten-recovery-codes").count();
  report.expect(onward === 1, "second factor set up on a phone");
  await small.goto(`${base}/account`, { waitUntil: "load" });
  await submit(small, "/afmelden");
  await password(small, base, user);
  await report.reflow(small, `${base}/aanmelden/code`, "second factor code page");
  await phone.close();
}
