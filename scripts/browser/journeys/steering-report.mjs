// The steering dashboard's later parts: the council report (/regie/verslag) and the dashboard's comparison and
// referral tables; axe-core on each view, without JavaScript, and 320 px reflow.
import { newContext, signIn, screenshot } from "../harness.mjs";

export const name = "steering report (steering, programme manager)";

export default async function ({ keten, browser, report }) {
  const base = keten.base;
  const reports = [
    ["report this year", "/regie/verslag?period=this_year"],
    ["report last month", "/regie/verslag?period=last_month"],
    ["report custom period", "/regie/verslag?period=custom&from=2026-07-01&to=2026-09-30"],
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
    const views = [...reports];
    for (const [label, path] of views) {
      const response = await page.goto(base + path, { waitUntil: "load" });
      report.expect(response.status() === 200, `${who}: ${label} answers 200`, `status ${response.status()}`);
      await report.check(page, `${who}: ${label}`);
    }
    if (role === "programme_manager") {
      // The national view per province and size class.
      for (const [label, path] of [["national view this year", "/regie/landelijk?period=this_year"], ["national view custom period", "/regie/landelijk?period=custom&from=2026-07-01&to=2026-09-30"]]) {
        const response = await page.goto(base + path, { waitUntil: "load" });
        report.expect(response.status() === 200, `${who}: ${label} answers 200`, `status ${response.status()}`);
        report.expect((await page.locator("table[data-table=provinces]").count()) === 1, `${who}: ${label} has provinces`);
        await report.check(page, `${who}: ${label}`);
        views.push([label, path]);
      }
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
