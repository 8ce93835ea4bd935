// The steering dashboard's later parts: the council report (/regie/verslag) and the dashboard's comparison and
// referral tables; axe-core on each view, without JavaScript, and 320 px reflow.
import { newContext, signIn, screenshot } from "../harness.mjs";

export const name = "steering report (steering, programme manager)";

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const views = [
    ["report this year", "/regie/verslag?period=this_year"],
    ["report last month", "/regie/verslag?period=last_month"],
    ["report custom period", "/regie/verslag?period=custom&from=2025-07-01&to=2025-09-30"],
  ];
  for (const [who, role] of [["steering", "steering"], ["programme manager", "programme_manager"]]) {
    const noScript = await newContext(browser, { javaScriptEnabled: false });
    const plain = await noScript.newPage();
    await signIn(plain, base, keten.user(role));
    await plain.goto(`${base}/regie/verslag?period=this_year`, { waitUntil: "load" });
    report.expect((await plain.locator("[data-summary]").count()) === 1 && (await plain.locator("section.keten-report__page").count()) > 1, `${who}: report with summary and sections without JavaScript`);
    if (role === "steering") {
      await plain.goto(`${base}/regie?period=this_year`, { waitUntil: "load" });
      report.expect((await plain.locator("table[data-table=comparison]").count()) === 1, `${who}: comparison with other municipalities`);
      report.expect((await plain.locator("table[data-table=referral-lead-times]").count()) === 1, `${who}: referral lead times`);
    }
    await noScript.close();
    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, base, keten.user(role));
    for (const [label, path] of views) {
      const response = await page.goto(base + path, { waitUntil: "load" });
      report.expect(response.status() === 200, `${who}: ${label} answers 200`, `status ${response.status()}`);
      await report.check(page, `${who}: ${label}`);
    }
    if (role === "steering") {
      await page.emulateMedia({ media: "print" });
      await page.goto(`${base}/regie/verslag?period=this_year`, { waitUntil: "load" });
      await screenshot(page, "steering-report-print");
      await page.emulateMedia({ media: "screen" });
    }
    const phone = await browser.newContext({ viewport: { width: 320, height: 640 } });
    const small = await phone.newPage();
    await signIn(small, base, keten.user(role));
    for (const [label, path] of views) {
      await report.reflow(small, base + path, `${who}: ${label}`);
    }
    await phone.close();
    await context.close();
  }
}
